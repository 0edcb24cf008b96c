-- track schema, migration 5 (PostgreSQL): compact metric points, as
-- Migrations/0005_compact_metrics.sql. Points live in metric_points, keyed on
-- (run_id, key_id, step, seq): `seq` orders points logged with the same step (0 for the
-- first); `wall_ms` is milliseconds since the run's `created_at`.
-- `metrics` stays a view with the columns it always had (wall_time in Unix seconds, at
-- millisecond precision), and INSERT INTO metrics still works (a trigger), so queries and
-- clients written for the table keep working.
CREATE TABLE metric_points (
  run_id  bigint NOT NULL,
  key_id  bigint NOT NULL,
  step    bigint NOT NULL,
  seq     bigint NOT NULL,
  epoch   bigint,
  task    bigint,
  value   double precision,
  wall_ms bigint NOT NULL,
  PRIMARY KEY (run_id, key_id, step, seq)
);

INSERT INTO metric_points (run_id, key_id, step, seq, epoch, task, value, wall_ms)
SELECT m.run_id, m.key_id, m.step,
       row_number() OVER (PARTITION BY m.run_id, m.key_id, m.step ORDER BY m.ctid) - 1,
       m.epoch, m.task, m.value,
       round((m.wall_time - COALESCE(r.created_at, 0)) * 1000)::bigint
FROM metrics m LEFT JOIN runs r ON r.id = m.run_id;

DROP TRIGGER runs_delete_metrics ON runs;
DROP FUNCTION runs_delete_metrics();
DROP TABLE metrics;

CREATE FUNCTION runs_delete_metric_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM metric_points WHERE run_id = OLD.id;
  RETURN OLD;
END;
$$;
CREATE TRIGGER runs_delete_metric_points AFTER DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION runs_delete_metric_points();

CREATE VIEW metrics AS
SELECT p.run_id, p.key_id, p.step, p.epoch, p.task, p.value,
       COALESCE(r.created_at, 0) + p.wall_ms / 1000.0 AS wall_time
FROM metric_points p LEFT JOIN runs r ON r.id = p.run_id;

CREATE FUNCTION metrics_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO metric_points (run_id, key_id, step, seq, epoch, task, value, wall_ms)
  VALUES (
    NEW.run_id, NEW.key_id, NEW.step,
    COALESCE((SELECT max(seq) + 1 FROM metric_points
              WHERE run_id = NEW.run_id AND key_id = NEW.key_id AND step = NEW.step), 0),
    NEW.epoch, NEW.task, NEW.value,
    round((NEW.wall_time
           - COALESCE((SELECT created_at FROM runs WHERE id = NEW.run_id), 0)) * 1000)::bigint);
  RETURN NEW;
END;
$$;
CREATE TRIGGER metrics_insert INSTEAD OF INSERT ON metrics
FOR EACH ROW EXECUTE FUNCTION metrics_insert();
