import Crypto
import Foundation
import PostgresNIO
import Tracking

/// Bindings for `$1`, `$2`, … from the store's values.
func arguments(_ values: StoreValue...) -> PostgresBindings { PostgresBindings(values) }

extension PostgresStore {
  /// The advisory lock key that orders run creation ("trakruns"): run ids are the next after
  /// every run ever created, as in SQLite, so two clients must not number at once.
  static let runNumberingLock: Int64 = 0x7472_616B_7275_6E73

  public func createRun(_ request: RunRequest) throws -> Run {
    try request.validate()
    let now = Date().timeIntervalSince1970
    let created = request.createdAt?.timeIntervalSince1970 ?? now
    let uuid = try request.uuid.map(PostgresStore.canonicalUUID) ?? UUID().uuidString.lowercased()
    let id = try write { () -> RunID in
      var experimentID: StoreValue = .null
      if let id = request.experimentID, id != Experiment.defaultID {
        _ = try experimentRow(id)
        experimentID = .integer(id)
      } else if let experiment = request.experiment, experiment != Experiment.defaultName {
        try session.execute(
          """
          INSERT INTO experiments (name, created_at) VALUES ($1, $2)
          ON CONFLICT (name) DO NOTHING
          """, arguments(.text(experiment), .real(now)))
        experimentID = .integer(
          try session.integer("SELECT id FROM experiments WHERE name = $1", arguments(.text(experiment)))
            ?? 0)
      }
      if let from = request.continuing { _ = try runRow(from) }
      try session.execute(
        "SELECT pg_advisory_xact_lock($1)", arguments(.integer(PostgresStore.runNumberingLock)))
      guard
        let id = try session.integer(
          """
          INSERT INTO runs (id, uuid, name, experiment_id, status, created_at, started_at,
                            heartbeat_at, pid, host, command, git_commit, continued_from)
          VALUES (
            greatest(COALESCE((SELECT max(id) FROM runs), 0),
                     COALESCE((SELECT value::bigint FROM settings
                               WHERE key = 'highest_run_id'), 0)) + 1,
            $1, $2, $3, 'running', $4, $4, $10, $5, $6, $7, $8, $9)
          RETURNING id
          """,
          arguments(
            .text(uuid), .text(request.name ?? uuid), experimentID, .real(created),
            .integer(Int64(request.pid)), .text(request.host), .text(request.command),
            request.gitCommit.map(StoreValue.text) ?? .null,
            request.continuing.map(StoreValue.integer) ?? .null, .real(now)))
      else {
        throw TrackingError(.storage, "Creating a run in \(url.redacted) returned no id.")
      }
      if request.name == nil {
        try session.execute(
          "UPDATE runs SET name = $1 WHERE id = $2", arguments(.text("run-\(id)"), .integer(id)))
      }
      for (key, value) in request.params.sorted(by: { $0.key < $1.key }) {
        try insertParam(run: id, key: key, value: value)
      }
      for (key, value) in request.tags.sorted(by: { $0.key < $1.key }) {
        try session.execute(
          "INSERT INTO tags (run_id, key, value) VALUES ($1, $2, $3)",
          arguments(.integer(id), .text(key), .text(value)))
      }
      return id
    }
    return try run(id)
  }

  public func setTag(run: RunID, key: String, value: String) throws {
    try NameRules.validateKey(key, kind: "tag", run: run)
    try write {
      _ = try runRow(run)
      try session.execute(
        """
        INSERT INTO tags (run_id, key, value) VALUES ($1, $2, $3)
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value
        """, arguments(.integer(run), .text(key), .text(value)))
    }
  }

  public func deleteRun(_ id: RunID) throws {
    try write {
      _ = try runRow(id)
      let released = Set(
        try session.rows(
          """
          SELECT sha256 FROM checkpoints WHERE run_id = $1
          UNION SELECT features_sha256 FROM knowledge WHERE run_id = $1
          UNION SELECT sha256 FROM artifacts WHERE run_id = $1
          """, arguments(.integer(id))
        ) { try $0.string(0) })
      try session.execute("DELETE FROM runs WHERE id = $1", arguments(.integer(id)))
      try deleteUnreferencedBlobs(released)
      // Ids are never reused: the next run is numbered past every run ever created.
      try session.execute(
        """
        INSERT INTO settings (key, value) VALUES ('highest_run_id', $1)
        ON CONFLICT (key) DO UPDATE
          SET value = greatest(settings.value::bigint, excluded.value::bigint)::text
        """, arguments(.text(String(id))))
    }
    runOrigins[id] = nil
    seriesEnds = seriesEnds.filter { $0.key.run != id }
  }

  public func logParam(run: RunID, key: String, value: ParamValue) throws {
    try NameRules.validateKey(key, kind: "param", run: run)
    try write { try insertParam(run: run, key: key, value: value) }
  }

  /// Stores the param unless present; the same value again is fine, another value throws.
  func insertParam(run: RunID, key: String, value: ParamValue) throws {
    let inserted = try session.execute(
      """
      INSERT INTO params (run_id, key, value, number) VALUES ($1, $2, $3, $4)
      ON CONFLICT (run_id, key) DO NOTHING
      """,
      arguments(
        .integer(run), .text(key), .text(value.description),
        value.number.map(StoreValue.real) ?? .null))
    guard inserted == 0 else { return }
    let existing = try session.first(
      "SELECT value, number FROM params WHERE run_id = $1 AND key = $2",
      arguments(.integer(run), .text(key))
    ) { row -> ParamValue in
      row.isNull(1) ? .text(try row.string(0)) : .number(try row.double(1))
    }
    if existing == nil { _ = try runRow(run) }
    if let existing, existing != value {
      throw TrackingError(
        .paramConflict,
        "Param '\(key)' of run \(run) is already \(existing); it cannot become \(value). "
          + "Params are immutable once logged: start a new run (e.g. `track run --from \(run)`) "
          + "to change it.")
    }
  }

  /// Stores bytes once under their SHA-256; returns the hash (lowercase hex).
  func storeBlob(_ data: Data) throws -> String {
    let sha = PostgresStore.sha256(data)
    try session.execute(
      """
      INSERT INTO blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (sha256) DO NOTHING
      """,
      arguments(
        .text(sha), .integer(Int64(data.count)), .blob(data), .real(Date().timeIntervalSince1970)))
    return sha
  }

  /// Lowercase hex SHA-256 of `data`.
  static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// The id of a metric name, interned on first use, inside a write transaction (`write`
  /// restores the cache when it fails, so a rolled-back id is never reused for another name).
  func metricKeyID(_ name: String) throws -> Int64 {
    if let id = metricKeyIDs[name] { return id }
    let find = "SELECT id FROM metric_keys WHERE name = $1"
    var id = try session.integer(find, arguments(.text(name)))
    if id == nil {
      try session.execute(
        "INSERT INTO metric_keys (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        arguments(.text(name)))
      id = try session.integer(find, arguments(.text(name)))
    }
    guard let id else {
      throw TrackingError(.storage, "Could not intern the metric name '\(name)' in \(url.redacted).")
    }
    metricKeyIDs[name] = id
    return id
  }

  /// Recomputes and stores the summaries of one matrix of a run.
  func updateMatrixSummary(run: RunID, metric: String) throws {
    let matrix = try loadMatrix(run: run, metric: metric)
    func value(_ number: Double?) -> StoreValue { number.map(StoreValue.real) ?? .null }
    try session.execute(
      """
      INSERT INTO matrix_summaries (run_id, metric, task_count, acc, bwt, fwt, forgetting)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (run_id, metric) DO UPDATE SET task_count = excluded.task_count,
        acc = excluded.acc, bwt = excluded.bwt, fwt = excluded.fwt,
        forgetting = excluded.forgetting
      """,
      arguments(
        .integer(run), .text(metric), .integer(Int64(matrix.taskCount)), value(matrix.accuracy),
        value(matrix.backwardTransfer), value(matrix.forwardTransfer), value(matrix.forgetting)))
  }

  /// Deletes the blobs among `candidates` that no checkpoint, knowledge entry or artifact
  /// references,
  /// inside the caller's transaction: the blob goes with its last reference.
  func deleteUnreferencedBlobs(_ candidates: Set<String>) throws {
    guard !candidates.isEmpty else { return }
    var bindings = PostgresBindings()
    bindings.append(candidates.sorted())
    try session.execute(
      """
      DELETE FROM blobs b WHERE b.sha256 = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.sha256 = b.sha256)
        AND NOT EXISTS (SELECT 1 FROM knowledge k WHERE k.features_sha256 = b.sha256)
        AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = b.sha256)
      """, bindings)
  }
}
