-- track schema, migration 7: what MLflow's tracking API (`track serve`) keeps beyond a run's
-- params, tags and metrics.
-- Experiments gain a lifecycle (MLflow deletes softly: 'deleted' until restored), a time of
-- last change and tags. Experiment id 0 is MLflow's "Default": the runs without an
-- experiment (experiment_id NULL); it has no row here.
ALTER TABLE experiments ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'active'
  CHECK (lifecycle IN ('active', 'deleted'));
ALTER TABLE experiments ADD COLUMN updated_at REAL;

CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

-- A run deleted through the API is in the trash (deleted_at set) until restored or removed
-- with `track rm`: listings leave it out unless the filter names `lifecycle`.
ALTER TABLE runs ADD COLUMN deleted_at REAL;

-- Files a run logged (MLflow artifacts): the path inside the run's artifact root and the
-- content, stored once in `blobs` by SHA-256.
CREATE TABLE artifacts (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path       TEXT NOT NULL,
  sha256     TEXT NOT NULL REFERENCES blobs(sha256),
  size       INTEGER NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (run_id, path)
) WITHOUT ROWID;
CREATE INDEX artifacts_blob ON artifacts(sha256);

-- MLflow 3's logged models: a model a run produced (`mlflow.sklearn.log_model`, autolog).
-- Its files are artifacts of the source run under `models/ID/`; `params` and `tags` are JSON
-- objects of strings; `status` is MLflow's (LOGGED_MODEL_PENDING, LOGGED_MODEL_READY, ...).
CREATE TABLE logged_models (
  id            TEXT PRIMARY KEY,
  run_id        INTEGER REFERENCES runs(id) ON DELETE CASCADE,
  experiment_id INTEGER REFERENCES experiments(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  model_type    TEXT,
  status        TEXT NOT NULL,
  created_at    REAL NOT NULL,
  updated_at    REAL NOT NULL,
  params        TEXT NOT NULL DEFAULT '{}',
  tags          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX logged_models_run ON logged_models(run_id);

-- run_overview gains the experiment's id, the run's lifecycle, and its creation and end as
-- Unix seconds (for comparisons with numbers).
DROP VIEW run_overview;
CREATE VIEW run_overview AS
SELECT r.id, r.uuid, r.name, e.name AS experiment, s.status,
       datetime(r.created_at, 'unixepoch') AS created,
       datetime(r.ended_at, 'unixepoch') AS ended,
       COALESCE(r.ended_at,
                CASE WHEN s.status = 'running' THEN (julianday('now') - 2440587.5) * 86400.0
                     ELSE r.heartbeat_at END) - COALESCE(r.started_at, r.created_at)
         AS duration_s,
       ms.metric AS matrix_metric, ms.task_count, ms.acc, ms.bwt, ms.fwt, ms.forgetting,
       (SELECT json_group_object(p.key, COALESCE(p.number, p.value))
          FROM params p WHERE p.run_id = r.id) AS params,
       (SELECT json_group_object(k.name, l.value)
          FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id
          WHERE l.run_id = r.id) AS latest_metrics,
       r.continued_from, r.host, r.pid, r.git_commit, r.command, r.notes,
       COALESCE(r.experiment_id, 0) AS experiment_id,
       CASE WHEN r.deleted_at IS NULL THEN 'active' ELSE 'deleted' END AS lifecycle,
       r.created_at, r.ended_at
FROM runs r
JOIN run_status s ON s.run_id = r.id
LEFT JOIN experiments e ON e.id = r.experiment_id
LEFT JOIN matrix_summaries ms
  ON ms.run_id = r.id
 AND ms.metric = (SELECT metric FROM matrix_summaries WHERE run_id = r.id
                  ORDER BY rowid LIMIT 1);
