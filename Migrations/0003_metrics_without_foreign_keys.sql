-- track schema, migration 3: metrics without declared foreign keys.
-- Checking run_id -> runs.id and key_id -> metric_keys.id cost about 17% of every logged
-- point. The table is rebuilt without them (rows keep their order); a trigger deletes a run's
-- points with the run, and `track check` reports points that belong to no run or metric name.

CREATE TABLE metrics_rebuilt (
  run_id    INTEGER NOT NULL,
  key_id    INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  epoch     INTEGER,
  task      INTEGER,
  value     REAL,
  wall_time REAL NOT NULL
);
INSERT INTO metrics_rebuilt (run_id, key_id, step, epoch, task, value, wall_time)
SELECT run_id, key_id, step, epoch, task, value, wall_time FROM metrics ORDER BY rowid;
DROP TABLE metrics;
ALTER TABLE metrics_rebuilt RENAME TO metrics;
CREATE INDEX metrics_run_key_step ON metrics(run_id, key_id, step);

CREATE TRIGGER runs_delete_metrics AFTER DELETE ON runs
BEGIN
  DELETE FROM metrics WHERE run_id = old.id;
END;
