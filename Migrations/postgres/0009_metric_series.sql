-- track schema, migration 9 (PostgreSQL): the schema version of Migrations/0009_metric_series.sql,
-- which keys SQLite's points by series (metric_series, metric_values, metric_repeats) to save
-- two bytes of record header a point. PostgreSQL keeps metric_points as the table of
-- migration 5: each of its rows carries a tuple header of 24 bytes, so the same change would
-- save about 4% there, and points stream into that one table with COPY. Queries written
-- against metric_points and metrics read the same columns on both backends.
COMMENT ON TABLE metric_points IS
  'Metric points, one row each (SQLite stores them in metric_values and metric_repeats since schema 9; docs/schema.md)';
