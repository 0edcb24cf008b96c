-- track schema, migration 6: `latest` (and `latest~N`) read the newest runs through an
-- index instead of sorting every run. (A UUID prefix is looked up as a range of the unique
-- `uuid` index.)
CREATE INDEX runs_created ON runs(created_at, id);
