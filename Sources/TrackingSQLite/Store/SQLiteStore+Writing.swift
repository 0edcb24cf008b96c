import Crypto
import Foundation
import Tracking

extension SQLiteStore {
  public func createRun(_ request: RunRequest) throws -> Run {
    try request.validate()
    let now = Date().timeIntervalSince1970
    let created = request.createdAt?.timeIntervalSince1970 ?? now
    let uuid = try request.uuid.map(SQLiteStore.canonicalUUID) ?? UUID().uuidString.lowercased()
    let id = try write { database -> RunID in
      var experimentID: StoreValue = .null
      if let id = request.experimentID, id != Experiment.defaultID {
        _ = try experimentRow(id, in: database)
        experimentID = .integer(id)
      } else if let experiment = request.experiment, experiment != Experiment.defaultName {
        try database.execute(
          "INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
          [.text(experiment), .real(now)])
        experimentID = .integer(
          try database.integer("SELECT id FROM experiments WHERE name = ?", [.text(experiment)])
            ?? 0)
      }
      if let from = request.continuing { _ = try runRow(from, in: database) }
      try database.execute(
        """
        INSERT INTO runs (id, uuid, name, experiment_id, status, created_at, started_at,
                          heartbeat_at, pid, host, command, git_commit, continued_from)
        VALUES (
          (SELECT max(COALESCE((SELECT max(id) FROM runs), 0),
                      COALESCE((SELECT CAST(value AS INTEGER) FROM settings
                                WHERE key = 'highest_run_id'), 0)) + 1),
          ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          .text(uuid), .text(request.name ?? uuid), experimentID, .real(created), .real(created),
          .real(now), .integer(Int64(request.pid)), .text(request.host), .text(request.command),
          request.gitCommit.map(StoreValue.text) ?? .null,
          request.continuing.map(StoreValue.integer) ?? .null,
        ])
      let id = database.lastInsertRowID
      if request.name == nil {
        try database.execute(
          "UPDATE runs SET name = ? WHERE id = ?", [.text("run-\(id)"), .integer(id)])
      }
      for (key, value) in request.params.sorted(by: { $0.key < $1.key }) {
        try insertParam(run: id, key: key, value: value, in: database)
      }
      for (key, value) in request.tags.sorted(by: { $0.key < $1.key }) {
        try database.execute(
          "INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)",
          [.integer(id), .text(key), .text(value)])
      }
      return id
    }
    return try run(id)
  }

  /// Sets (or replaces) a tag of a run.
  public func setTag(run: RunID, key: String, value: String) throws {
    try NameRules.validateKey(key, kind: "tag", run: run)
    try write { database in
      _ = try runRow(run, in: database)
      try database.execute(
        """
        INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)
        ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value
        """, [.integer(run), .text(key), .text(value)])
    }
  }

  /// Deletes a run and everything it owns (params, tags, metrics, matrix, tasks, checkpoints,
  /// knowledge); runs continued from it keep their data. Blobs are freed by `collectGarbage()`.
  public func deleteRun(_ id: RunID) throws {
    try write { database in
      _ = try runRow(id, in: database)
      let released = Set(
        try database.statement(
          """
          SELECT sha256 FROM checkpoints WHERE run_id = ?
          UNION SELECT features_sha256 FROM knowledge WHERE run_id = ?
          UNION SELECT sha256 FROM artifacts WHERE run_id = ?
          """
        ).map([.integer(id), .integer(id), .integer(id)]) { $0.string(0) })
      try database.execute("DELETE FROM runs WHERE id = ?", [.integer(id)])
      try deleteUnreferencedBlobs(released, in: database)
      // Ids are never reused: the next run is numbered past every run ever created.
      try database.execute(
        """
        INSERT INTO settings (key, value) VALUES ('highest_run_id', ?)
        ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value)
        """, [.integer(id)])
    }
    runOrigins[id] = nil
    seriesIDs = seriesIDs.filter { $0.key.run != id }
  }

  /// Stores the parameter unless present; the same value again is fine, another value throws.
  public func logParam(run: RunID, key: String, value: ParamValue) throws {
    try NameRules.validateKey(key, kind: "param", run: run)
    try write { try insertParam(run: run, key: key, value: value, in: $0) }
  }

  func insertParam(run: RunID, key: String, value: ParamValue, in database: Database) throws {
    try database.execute(
      "INSERT INTO params (run_id, key, value, number) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT(run_id, key) DO NOTHING",
      [
        .integer(run), .text(key), .text(value.description),
        value.number.map(StoreValue.real) ?? .null,
      ])
    if database.changes == 0 {
      let existing = try database.statement(
        "SELECT value, number FROM params WHERE run_id = ? AND key = ?"
      ).first([.integer(run), .text(key)]) { row -> ParamValue in
        row.isNull(1) ? .text(row.string(0)) : .number(row.double(1))
      }
      if let existing, existing != value {
        throw TrackingError(
          .paramConflict,
          "Param '\(key)' of run \(run) is already \(existing); it cannot become \(value). "
            + "Params are immutable once logged: start a new run (e.g. `track run --from \(run)`) "
            + "to change it.")
      }
    }
  }

  /// Stores bytes once under their SHA-256; returns the hash (lowercase hex).
  func storeBlob(_ data: Data, in database: Database) throws -> String {
    let sha = SQLiteStore.sha256(data)
    try database.execute(
      "INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT(sha256) DO NOTHING",
      [.text(sha), .integer(Int64(data.count)), .blob(data), .real(Date().timeIntervalSince1970)])
    return sha
  }

  /// Lowercase hex SHA-256 of `data`.
  static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// The id of a metric name, interned on first use. Called inside a write transaction:
  /// `write` restores the cache when the transaction fails, so a rolled-back id is never
  /// reused for another name.
  func metricKeyID(_ name: String, in database: Database) throws -> Int64 {
    if let id = metricKeyIDs[name] { return id }
    try database.execute(
      "INSERT INTO metric_keys (name) VALUES (?) ON CONFLICT(name) DO NOTHING", [.text(name)])
    guard let id = try database.integer("SELECT id FROM metric_keys WHERE name = ?", [.text(name)])
    else {
      throw TrackingError(.storage, "Could not intern the metric name '\(name)'.")
    }
    metricKeyIDs[name] = id
    return id
  }

  /// Recomputes and stores the summaries of one matrix of a run.
  func updateMatrixSummary(run: RunID, metric: String, in database: Database) throws {
    let matrix = try loadMatrix(run: run, metric: metric, in: database)
    func value(_ number: Double?) -> StoreValue { number.map(StoreValue.real) ?? .null }
    try database.execute(
      """
      INSERT INTO matrix_summaries (run_id, metric, task_count, acc, bwt, fwt, forgetting)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(run_id, metric) DO UPDATE SET task_count = excluded.task_count,
        acc = excluded.acc, bwt = excluded.bwt, fwt = excluded.fwt,
        forgetting = excluded.forgetting
      """,
      [
        .integer(run), .text(metric), .integer(Int64(matrix.taskCount)), value(matrix.accuracy),
        value(matrix.backwardTransfer), value(matrix.forwardTransfer), value(matrix.forgetting),
      ])
  }
}
