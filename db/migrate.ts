import path from "node:path";
import { connect, dataDir, migrate } from "./connect";

const url = process.env.DATABASE_URL;
const conn = await connect({ url, dir: url ? null : path.join(dataDir(), "pglite") });
await migrate(conn);
console.info(`Migrations applied to ${url ? "Postgres" : "the embedded database"}.`);
await conn.close();
