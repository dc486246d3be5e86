// Fast bcrypt and a fixed secret for the whole test run; nothing here touches the database.
process.env.BCRYPT_COST ??= "4";
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-1234";
// Send limits are generous for the suite as a whole; tests of the limits set their own.
process.env.LIMIT_SMS_PER_USER_HOUR ??= "1000";
process.env.LIMIT_SMS_PER_PHONE_HOUR ??= "1000";
process.env.LIMIT_SMS_PER_IP_HOUR ??= "1000";
process.env.SMS_DAILY_CAP ??= "100000";
process.env.SMS_ENROLL_DAILY_CAP ??= "100000";
process.env.LIMIT_SIGNUP_PER_IP_HOUR ??= "100000";
process.env.LIMIT_SIGNUP_HOUR ??= "100000";
// A fixed key for authenticator-app secrets, so no test writes a generated key into .data.
process.env.MFA_ENCRYPTION_KEY ??= "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
