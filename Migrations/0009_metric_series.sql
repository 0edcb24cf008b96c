-- track schema, migration 9: metric points keyed by series (31.3 bytes a point before, on a
-- store of 10,000 runs and 10 M points; the goal was 30).
-- A series is one metric of one run, numbered once in metric_series; each point stores that
-- number instead of (run_id, key_id), and its record header loses two columns (run_id and
-- key_id become series_id; seq moves out). The first point of a step goes to
-- metric_values, clustered on (series_id, step); a point logged again at a step already
-- stored goes to metric_repeats with seq 1, 2, ... in logging order, so the usual point
-- carries no seq at all. Series ids are AUTOINCREMENT: a writer holding the id of a series
-- whose run another process removed can never write into a later run's series.
-- metric_points and metrics stay, as views with the columns they had, and INSERT INTO
-- metrics still works (a trigger), so queries and clients written for them keep working.
CREATE TABLE metric_series (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  UNIQUE (run_id, key_id)
);

CREATE TABLE metric_values (
  series_id INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  epoch     INTEGER,
  task      INTEGER,
  value     REAL,
  wall_ms   INTEGER NOT NULL,
  PRIMARY KEY (series_id, step)
) WITHOUT ROWID;

CREATE TABLE metric_repeats (
  series_id INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  seq       INTEGER NOT NULL CHECK (seq > 0),
  epoch     INTEGER,
  task      INTEGER,
  value     REAL,
  wall_ms   INTEGER NOT NULL,
  PRIMARY KEY (series_id, step, seq)
) WITHOUT ROWID;

INSERT INTO metric_series (run_id, key_id)
SELECT DISTINCT run_id, key_id FROM metric_points ORDER BY run_id, key_id;

-- Renumbered per step in the order stored (a step whose seq 0 another client deleted keeps
-- its first remaining point as the step's value).
CREATE TEMP TABLE migrated_points AS
SELECT s.id AS series_id, p.step,
       row_number() OVER (PARTITION BY p.run_id, p.key_id, p.step ORDER BY p.seq) - 1 AS seq,
       p.epoch, p.task, p.value, p.wall_ms
FROM metric_points p JOIN metric_series s ON s.run_id = p.run_id AND s.key_id = p.key_id;

INSERT INTO metric_values (series_id, step, epoch, task, value, wall_ms)
SELECT series_id, step, epoch, task, value, wall_ms FROM migrated_points WHERE seq = 0
ORDER BY series_id, step;

INSERT INTO metric_repeats (series_id, step, seq, epoch, task, value, wall_ms)
SELECT series_id, step, seq, epoch, task, value, wall_ms FROM migrated_points WHERE seq > 0
ORDER BY series_id, step, seq;

DROP TABLE migrated_points;
DROP TRIGGER metrics_insert;
DROP VIEW metrics;
DROP TRIGGER runs_delete_metric_points;
DROP TABLE metric_points;

CREATE TRIGGER runs_delete_metric_series AFTER DELETE ON runs
BEGIN
  DELETE FROM metric_values
  WHERE series_id IN (SELECT id FROM metric_series WHERE run_id = old.id);
  DELETE FROM metric_repeats
  WHERE series_id IN (SELECT id FROM metric_series WHERE run_id = old.id);
  DELETE FROM metric_series WHERE run_id = old.id;
END;

-- Every point: seq 0 is the first point logged at its step.
CREATE VIEW metric_points AS
SELECT s.run_id, s.key_id, v.step, 0 AS seq, v.epoch, v.task, v.value, v.wall_ms
FROM metric_series s JOIN metric_values v ON v.series_id = s.id
UNION ALL
SELECT s.run_id, s.key_id, p.step, p.seq, p.epoch, p.task, p.value, p.wall_ms
FROM metric_series s JOIN metric_repeats p ON p.series_id = s.id;

CREATE VIEW metrics AS
SELECT p.run_id, p.key_id, p.step, p.epoch, p.task, p.value,
       COALESCE(r.created_at, 0) + p.wall_ms / 1000.0 AS wall_time
FROM metric_points p LEFT JOIN runs r ON r.id = p.run_id;

-- The repeat is written first, while the step's first point decides whether it is one.
CREATE TRIGGER metrics_insert INSTEAD OF INSERT ON metrics
BEGIN
  INSERT OR IGNORE INTO metric_series (run_id, key_id) VALUES (new.run_id, new.key_id);
  INSERT INTO metric_repeats (series_id, step, seq, epoch, task, value, wall_ms)
  SELECT s.id, new.step,
         COALESCE((SELECT max(p.seq) + 1 FROM metric_repeats p
                   WHERE p.series_id = s.id AND p.step = new.step), 1),
         new.epoch, new.task, new.value,
         CAST(round((new.wall_time
                     - COALESCE((SELECT created_at FROM runs WHERE id = new.run_id), 0)) * 1000)
              AS INTEGER)
  FROM metric_series s
  WHERE s.run_id = new.run_id AND s.key_id = new.key_id
    AND EXISTS (SELECT 1 FROM metric_values v WHERE v.series_id = s.id AND v.step = new.step);
  INSERT INTO metric_values (series_id, step, epoch, task, value, wall_ms)
  SELECT s.id, new.step, new.epoch, new.task, new.value,
         CAST(round((new.wall_time
                     - COALESCE((SELECT created_at FROM runs WHERE id = new.run_id), 0)) * 1000)
              AS INTEGER)
  FROM metric_series s
  WHERE s.run_id = new.run_id AND s.key_id = new.key_id
    AND NOT EXISTS (SELECT 1 FROM metric_values v WHERE v.series_id = s.id AND v.step = new.step);
END;
