// Fast bcrypt and a fixed secret for the whole test run; nothing here touches the database.
process.env.BCRYPT_COST ??= "4";
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-1234";
