-- track schema, migration 7 (PostgreSQL): what MLflow's tracking API (`track serve`) keeps
-- beyond a run's params, tags and metrics, as Migrations/0007_mlflow.sql.
-- Experiments gain a lifecycle (MLflow deletes softly: 'deleted' until restored), a time of
-- last change and tags. Experiment id 0 is MLflow's "Default": the runs without an
-- experiment (experiment_id NULL); it has no row here.
ALTER TABLE experiments ADD COLUMN lifecycle text COLLATE "C" NOT NULL DEFAULT 'active'
  CHECK (lifecycle IN ('active', 'deleted'));
ALTER TABLE experiments ADD COLUMN updated_at double precision;

CREATE TABLE experiment_tags (
  experiment_id bigint NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  key           text COLLATE "C" NOT NULL,
  value         text COLLATE "C" NOT NULL,
  PRIMARY KEY (experiment_id, key)
);

-- A run deleted through the API is in the trash (deleted_at set) until restored or removed
-- with `track rm`: listings leave it out unless the filter names `lifecycle`.
ALTER TABLE runs ADD COLUMN deleted_at double precision;

-- Files a run logged (MLflow artifacts): the path inside the run's artifact root and the
-- content, stored once in `blobs` by SHA-256.
CREATE TABLE artifacts (
  run_id     bigint NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path       text COLLATE "C" NOT NULL,
  sha256     text COLLATE "C" NOT NULL REFERENCES blobs(sha256),
  size       bigint NOT NULL,
  created_at double precision NOT NULL,
  PRIMARY KEY (run_id, path)
);
CREATE INDEX artifacts_blob ON artifacts(sha256);

-- MLflow 3's logged models: a model a run produced (`mlflow.sklearn.log_model`, autolog).
-- Its files are artifacts of the source run under `models/ID/`; `params` and `tags` are JSON
-- objects of strings (text, as in SQLite); `status` is MLflow's (LOGGED_MODEL_PENDING, ...).
CREATE TABLE logged_models (
  id            text COLLATE "C" PRIMARY KEY,
  run_id        bigint REFERENCES runs(id) ON DELETE CASCADE,
  experiment_id bigint REFERENCES experiments(id) ON DELETE CASCADE,
  name          text COLLATE "C" NOT NULL,
  model_type    text,
  status        text NOT NULL,
  created_at    double precision NOT NULL,
  updated_at    double precision NOT NULL,
  params        text NOT NULL DEFAULT '{}',
  tags          text NOT NULL DEFAULT '{}'
);
CREATE INDEX logged_models_run ON logged_models(run_id);

-- run_overview gains the experiment's id, the run's lifecycle, and its creation and end as
-- Unix seconds (for comparisons with numbers).
DROP VIEW run_overview;
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
       r.continued_from, r.host, r.pid, r.git_commit, r.command, r.notes,
       COALESCE(r.experiment_id, 0) AS experiment_id,
       (CASE WHEN r.deleted_at IS NULL THEN 'active' ELSE 'deleted' END) COLLATE "C"
         AS lifecycle,
       r.created_at, r.ended_at
FROM runs r
JOIN run_status s ON s.run_id = r.id
LEFT JOIN experiments e ON e.id = r.experiment_id
LEFT JOIN LATERAL (SELECT * FROM matrix_summaries f WHERE f.run_id = r.id
                   ORDER BY f.position LIMIT 1) ms ON true;
