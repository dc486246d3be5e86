// `npm run db:seed`: the demo organisation on an empty database (DATABASE_URL, or the embedded one while no server runs).
import path from "node:path";
import { connect, dataDir, migrate } from "../db/connect";
import { describeDemoAccounts, seedDemo } from "../db/seed";
import { hashPassword } from "../lib/auth/password";

const url = process.env.DATABASE_URL;
const conn = await connect({ url, dir: url ? null : path.join(dataDir(), "pglite") });
await migrate(conn);
console.info((await seedDemo(conn.db, hashPassword)) ? `Seeded.\n${describeDemoAccounts()}` : "Users already exist; nothing seeded.");
await conn.close();
