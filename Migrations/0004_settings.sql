-- track schema, migration 4: store settings.
-- `settings` holds values an operator or a test may change (`track init --stale-after
-- SECONDS`, or any SQLite client): stale_heartbeat_seconds (default 60) is how long a
-- 'running' run may go without a heartbeat before it reads as 'crashed' (the writer beats
-- every 5 seconds).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO settings (key, value) VALUES ('stale_heartbeat_seconds', '60');

DROP VIEW run_status;
CREATE VIEW run_status AS
SELECT r.id AS run_id,
       CASE WHEN r.status = 'running'
             AND COALESCE(r.heartbeat_at, r.created_at)
                 < (julianday('now') - 2440587.5) * 86400.0
                   - COALESCE((SELECT CAST(value AS REAL) FROM settings
                               WHERE key = 'stale_heartbeat_seconds'), 60)
            THEN 'crashed' ELSE r.status END AS status
FROM runs r;
