-- Custom SQL migration file, put your code below! --
-- Rate-limit counters are written before every password and code check (reserved before the work they limit).
-- They are short-lived state, not records: UNLOGGED spares each reservation a WAL flush. A crash of Postgres
-- empties the table (every counter starts over), which is the price; the audit trail and all else stay logged.
ALTER TABLE "rate_limits" SET UNLOGGED;
