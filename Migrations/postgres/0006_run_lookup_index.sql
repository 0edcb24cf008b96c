-- track schema, migration 6 (PostgreSQL): `latest` (and `latest~N`) read the newest runs
-- through an index instead of sorting every run, as Migrations/0006_run_lookup_index.sql.
-- (A UUID prefix is looked up as a range of the unique `uuid` index, COLLATE "C".)
CREATE INDEX runs_created ON runs(created_at, id);
