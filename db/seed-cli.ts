import path from "node:path";
import { connect, dataDir, migrate } from "./connect";
import { describeDemoAccounts, seedDemo } from "./seed";

const url = process.env.DATABASE_URL;
const conn = await connect({ url, dir: url ? null : path.join(dataDir(), "pglite") });
await migrate(conn);
console.info((await seedDemo(conn.db)) ? `Seeded.\n${describeDemoAccounts()}` : "Users already exist; nothing seeded.");
await conn.close();
