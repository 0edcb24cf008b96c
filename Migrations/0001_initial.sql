-- track schema, migration 1: the tables.
-- Released migrations are never edited: a change is a new numbered file.
-- Times are Unix seconds (REAL, UTC). Metric and matrix values: NULL stands for NaN,
-- because SQLite cannot store NaN; +/-Inf are stored as IEEE infinities.

-- Named groups of runs.
CREATE TABLE experiments (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at REAL NOT NULL
);

-- One row per run.
CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  uuid           TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  experiment_id  INTEGER REFERENCES experiments(id) ON DELETE SET NULL,
  -- Stored status; a 'running' run whose heartbeat is stale reads as 'crashed' in the views.
  status         TEXT NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'finished', 'failed', 'killed', 'crashed')),
  created_at     REAL NOT NULL,
  started_at     REAL,
  ended_at       REAL,
  heartbeat_at   REAL,
  pid            INTEGER,
  host           TEXT,
  command        TEXT,
  git_commit     TEXT,
  continued_from INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  notes          TEXT
);
CREATE INDEX runs_name ON runs(name);
CREATE INDEX runs_experiment ON runs(experiment_id);

-- Hyperparameters: the text as given, plus its numeric value when it is a number.
CREATE TABLE params (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  number REAL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Params are immutable once logged.
CREATE TRIGGER params_immutable BEFORE UPDATE ON params
BEGIN
  SELECT RAISE(ABORT, 'params are immutable once logged');
END;

-- Mutable key/value labels.
CREATE TABLE tags (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Metric names, interned so that each metric row stores a small integer.
CREATE TABLE metric_keys (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- Scalar time series. value NULL = NaN.
CREATE TABLE metrics (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key_id    INTEGER NOT NULL REFERENCES metric_keys(id),
  step      INTEGER NOT NULL,
  epoch     INTEGER,
  task      INTEGER,
  value     REAL,
  wall_time REAL NOT NULL
);
CREATE INDEX metrics_run_key_step ON metrics(run_id, key_id, step);

-- The latest point of each metric of each run (highest step, then latest logged),
-- maintained by the writer so that listing runs never scans the series.
CREATE TABLE metric_latest (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key_id    INTEGER NOT NULL REFERENCES metric_keys(id),
  step      INTEGER NOT NULL,
  value     REAL,
  wall_time REAL NOT NULL,
  PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;

-- The tasks of a continual-learning stream. classes: JSON array of labels.
CREATE TABLE tasks (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  task       INTEGER NOT NULL CHECK (task >= 1),
  name       TEXT NOT NULL,
  train_size INTEGER NOT NULL,
  test_size  INTEGER NOT NULL,
  classes    TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (run_id, task)
) WITHOUT ROWID;

-- The accuracy matrix R: score on task j after training through task i (0 = baseline b).
CREATE TABLE matrix (
  run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  metric          TEXT NOT NULL,
  trained_through INTEGER NOT NULL CHECK (trained_through >= 0),
  task            INTEGER NOT NULL CHECK (task >= 1),
  value           REAL,
  PRIMARY KEY (run_id, metric, trained_through, task)
) WITHOUT ROWID;

-- ACC/BWT/FWT/forgetting of each matrix, computed by track with the formulas of
-- docs/schema.md and rewritten whenever a matrix row is recorded.
CREATE TABLE matrix_summaries (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  metric     TEXT NOT NULL,
  task_count INTEGER NOT NULL,
  acc        REAL,
  bwt        REAL,
  fwt        REAL,
  forgetting REAL,
  PRIMARY KEY (run_id, metric)
);

-- Binary payloads, content-addressed by SHA-256 (lowercase hex), stored once.
CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  created_at REAL NOT NULL
) WITHOUT ROWID;

-- Checkpoints of a run (kind: 'weights', 'optimizer', ...).
CREATE TABLE checkpoints (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  task       INTEGER NOT NULL,
  epoch      INTEGER,
  kind       TEXT NOT NULL,
  sha256     TEXT NOT NULL REFERENCES blobs(sha256),
  created_at REAL NOT NULL
);
CREATE INDEX checkpoints_run ON checkpoints(run_id, task);
CREATE INDEX checkpoints_blob ON checkpoints(sha256);

-- The knowledge base (replay memory): run_id owns the entry, source_run_id added it first.
-- A run continued from another starts with a copy of that run's entries.
CREATE TABLE knowledge (
  id              INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source_run_id   INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  features_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
  target          REAL NOT NULL,
  task            INTEGER NOT NULL,
  added_at        REAL NOT NULL
);
CREATE INDEX knowledge_run ON knowledge(run_id);
CREATE INDEX knowledge_blob ON knowledge(features_sha256);
