// Postgres for the benchmarks: a fresh database per run (dropped afterwards) and direct seeding.
import crypto from "node:crypto";
import postgres from "postgres";

/** Server to benchmark against; its maintenance database is used to create and drop the run's databases. */
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function urlFor(dbName) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
}

const created = new Set();

export async function createDatabase(label) {
  const name = `bench_${label}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString("hex")}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  created.add(name);
  return { name, url: urlFor(name) };
}

export async function dropDatabase(name) {
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    created.delete(name);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function dropAll() {
  for (const name of [...created]) {
    try {
      await dropDatabase(name);
    } catch {
      // One retry (a server that was just stopped may still hold a connection), then say what is left behind.
      await new Promise((r) => setTimeout(r, 1000));
      await dropDatabase(name).catch((error) => console.error(`! could not drop database ${name}: ${error.message}`));
    }
  }
}

export async function serverInfo() {
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select current_setting('server_version') as version, current_setting('max_connections') as max_connections`;
    return row;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export function connectDb(url, max = 4) {
  return postgres(url, { max, onnotice: () => {} });
}

/**
 * Seeds one organisation and `count` users named `${prefix}${i}@bench.test` (i from 0), all with the same
 * precomputed bcrypt hash. With `phonePrefix`, every user also gets a verified SMS factor with a distinct
 * E.164 number (mfa_enabled = true). Every address is confirmed, and every user's own browser (its device id
 * from browserJar in bench/lib/http.mjs) is known, so a sign-in there is a returning user's. Returns the organisation id.
 */
export async function seedUsers(sql, { prefix, count, hash, mfa = false, role = "member", orgId, orgName = "Bench Org", phoneBase = 31_610_000_000 }) {
  if (!orgId) {
    const [org] = await sql`insert into organisations (name) values (${orgName}) returning id`;
    orgId = org.id;
  }
  await sql`
    with u as (
      insert into users (email, name, password_hash, mfa_enabled, email_verified_at)
      select ${prefix} || i || '@bench.test', 'Bench User ' || i, ${hash}, ${mfa}, now()
      from generate_series(0, ${count - 1}) as i
      returning id, email
    ), m as (
      insert into memberships (user_id, organisation_id, role) select id, ${orgId}, ${role} from u
    ), d as (
      -- Each user has signed in from "their" browser before (bench/lib/http.mjs browserJar), as returning users have.
      insert into known_devices (token_hash, user_id)
      select encode(sha256(convert_to('device:' || left(translate(encode(sha256(convert_to(email, 'UTF8')), 'base64'), '+/', '-_'), 43), 'UTF8')), 'hex'), id from u
    )
    insert into mfa_factors (user_id, kind, phone, verified_at)
    select id, 'sms', '+' || (${phoneBase}::bigint + substring(email from ${`^${prefix}(\\d+)@`})::bigint)::text, now()
    from u where ${mfa}`;
  return orgId;
}
