-- track schema, migration 3 (PostgreSQL): metrics without declared foreign keys, as
-- Migrations/0003_metrics_without_foreign_keys.sql. Checking them costs every logged point;
-- a trigger deletes a run's points with the run, and `track check` reports points that
-- belong to no run or metric name. (PostgreSQL drops the constraints in place; SQLite has to
-- rebuild the table.)
ALTER TABLE metrics DROP CONSTRAINT metrics_run_id_fkey;
ALTER TABLE metrics DROP CONSTRAINT metrics_key_id_fkey;

CREATE FUNCTION runs_delete_metrics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM metrics WHERE run_id = OLD.id;
  RETURN OLD;
END;
$$;
CREATE TRIGGER runs_delete_metrics AFTER DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION runs_delete_metrics();
