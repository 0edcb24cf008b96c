-- track schema, migration 4 (PostgreSQL): store settings, as Migrations/0004_settings.sql.
-- `settings` holds values an operator or a test may change (`track init --stale-after
-- SECONDS`, or any client): stale_heartbeat_seconds (default 60) is how long a 'running' run
-- may go without a heartbeat before it reads as 'crashed' (the writer beats every 5 seconds).
CREATE TABLE settings (
  key   text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO settings (key, value) VALUES ('stale_heartbeat_seconds', '60');

-- Replaced in place: run_overview depends on it (SQLite drops and recreates it).
CREATE OR REPLACE VIEW run_status AS
SELECT r.id AS run_id,
       CASE WHEN r.status = 'running'
             AND COALESCE(r.heartbeat_at, r.created_at)
                 < extract(epoch FROM statement_timestamp())::double precision
                   - COALESCE((SELECT value::double precision FROM settings
                               WHERE key = 'stale_heartbeat_seconds'), 60)
            THEN 'crashed' ELSE r.status END AS status
FROM runs r;
