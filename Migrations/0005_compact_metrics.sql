-- track schema, migration 5: compact metric points (about 57 bytes a point before, with the
-- table's rowid, its 8-byte wall time and a separate index).
-- Points live in metric_points, a WITHOUT ROWID table clustered on (run_id, key_id, step,
-- seq): one metric's series is one contiguous range, with no separate index. `seq` orders
-- points logged with the same step (0 for the first, which takes no bytes on disk);
-- `wall_ms` is milliseconds since the run's `created_at` (3 or 4 bytes, not 8).
-- `metrics` stays a view with the columns it always had (wall_time in Unix seconds, at
-- millisecond precision), and INSERT INTO metrics still works (a trigger), so queries and
-- clients written for the table keep working.
CREATE TABLE metric_points (
  run_id  INTEGER NOT NULL,
  key_id  INTEGER NOT NULL,
  step    INTEGER NOT NULL,
  seq     INTEGER NOT NULL,
  epoch   INTEGER,
  task    INTEGER,
  value   REAL,
  wall_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id, step, seq)
) WITHOUT ROWID;

INSERT INTO metric_points (run_id, key_id, step, seq, epoch, task, value, wall_ms)
SELECT m.run_id, m.key_id, m.step,
       row_number() OVER (PARTITION BY m.run_id, m.key_id, m.step ORDER BY m.rowid) - 1,
       m.epoch, m.task, m.value,
       CAST(round((m.wall_time - COALESCE(r.created_at, 0)) * 1000) AS INTEGER)
FROM metrics m LEFT JOIN runs r ON r.id = m.run_id
ORDER BY m.run_id, m.key_id, m.step, m.rowid;

DROP TRIGGER runs_delete_metrics;
DROP TABLE metrics;

CREATE TRIGGER runs_delete_metric_points AFTER DELETE ON runs
BEGIN
  DELETE FROM metric_points WHERE run_id = old.id;
END;

CREATE VIEW metrics AS
SELECT p.run_id, p.key_id, p.step, p.epoch, p.task, p.value,
       COALESCE(r.created_at, 0) + p.wall_ms / 1000.0 AS wall_time
FROM metric_points p LEFT JOIN runs r ON r.id = p.run_id;

CREATE TRIGGER metrics_insert INSTEAD OF INSERT ON metrics
BEGIN
  INSERT INTO metric_points (run_id, key_id, step, seq, epoch, task, value, wall_ms)
  VALUES (
    new.run_id, new.key_id, new.step,
    COALESCE((SELECT max(seq) + 1 FROM metric_points
              WHERE run_id = new.run_id AND key_id = new.key_id AND step = new.step), 0),
    new.epoch, new.task, new.value,
    CAST(round((new.wall_time
                - COALESCE((SELECT created_at FROM runs WHERE id = new.run_id), 0)) * 1000)
         AS INTEGER));
END;
