-- track schema, migration 2 (PostgreSQL): views for people who query the database directly,
-- as Migrations/0002_views.sql. A 'running' run whose heartbeat is older than 60 seconds is
-- reported as 'crashed' (the writer beats every 5 seconds). Times are shown as ISO-8601 UTC
-- text; "now" is the statement's start (statement_timestamp()).

-- The effective status of every run.
CREATE VIEW run_status AS
SELECT r.id AS run_id,
       CASE WHEN r.status = 'running'
             AND COALESCE(r.heartbeat_at, r.created_at)
                 < extract(epoch FROM statement_timestamp())::double precision - 60
            THEN 'crashed' ELSE r.status END AS status
FROM runs r;

-- The latest value of each metric of each run, by name.
CREATE VIEW latest_metrics AS
SELECT l.run_id, r.name AS run, k.name AS key, l.step, l.value,
       track_datetime(l.wall_time) AS logged_at
FROM metric_latest l
JOIN runs r ON r.id = l.run_id
JOIN metric_keys k ON k.id = l.key_id;

-- The matrix in long form with task names and run names.
CREATE VIEW matrix_long AS
SELECT m.run_id, r.name AS run, m.metric, m.trained_through,
       CASE WHEN m.trained_through = 0 THEN 'baseline' ELSE ti.name END AS trained_through_name,
       m.task, tj.name AS task_name, m.value
FROM matrix m
JOIN runs r ON r.id = m.run_id
LEFT JOIN tasks ti ON ti.run_id = m.run_id AND ti.task = m.trained_through
LEFT JOIN tasks tj ON tj.run_id = m.run_id AND tj.task = m.task;

-- One row per run: effective status, duration, params and summary metrics.
-- acc/bwt/fwt/forgetting come from the run's first matrix (NULL without one);
-- params and latest_metrics are jsonb objects (use params->>'optimizer.lr').
CREATE VIEW run_overview AS
SELECT r.id, r.uuid, r.name, e.name AS experiment, s.status,
       track_datetime(r.created_at) AS created,
       track_datetime(r.ended_at) AS ended,
       COALESCE(r.ended_at,
                CASE WHEN s.status = 'running'
                     THEN extract(epoch FROM statement_timestamp())::double precision
                     ELSE r.heartbeat_at END) - COALESCE(r.started_at, r.created_at)
         AS duration_s,
       ms.metric AS matrix_metric, ms.task_count, ms.acc, ms.bwt, ms.fwt, ms.forgetting,
       (SELECT COALESCE(jsonb_object_agg(p.key, CASE WHEN p.number IS NULL
                                                     THEN to_jsonb(p.value)
                                                     ELSE to_jsonb(p.number) END),
                        '{}'::jsonb)
          FROM params p WHERE p.run_id = r.id) AS params,
       (SELECT COALESCE(jsonb_object_agg(k.name, l.value), '{}'::jsonb)
          FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id
          WHERE l.run_id = r.id) AS latest_metrics,
       r.continued_from, r.host, r.pid, r.git_commit, r.command, r.notes
FROM runs r
JOIN run_status s ON s.run_id = r.id
LEFT JOIN experiments e ON e.id = r.experiment_id
LEFT JOIN LATERAL (SELECT * FROM matrix_summaries f WHERE f.run_id = r.id
                   ORDER BY f.position LIMIT 1) ms ON true;
