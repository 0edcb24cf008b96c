import Foundation
import Tracking

/// Experiments, run life cycle, tag removal and artifacts: what MLflow's tracking API keeps
/// beyond a run's params, tags and metrics (migration 0007).
extension SQLiteStore {
  // MARK: Runs

  /// A UUID as stored: lowercase with dashes, from either form; `.invalidValue` otherwise.
  static func canonicalUUID(_ text: String) throws -> String {
    let hex = text.lowercased().filter { $0 != "-" }
    guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else {
      throw TrackingError(
        .invalidValue, "'\(text.prefix(80))' is not a UUID (32 hexadecimal digits).")
    }
    let characters = Array(hex)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }
      .joined(separator: "-")
  }

  public func run(uuid: String) throws -> Run? {
    guard let canonical = try? SQLiteStore.canonicalUUID(uuid) else { return nil }
    return try withDatabase { database in
      try database.statement(
        "SELECT \(SQLiteStore.runColumns) \(SQLiteStore.runFrom) WHERE r.uuid = ?"
      ).first([.text(canonical)], SQLiteStore.decodeRun)
    }
  }

  public func deleteTag(run: RunID, key: String) throws {
    try write { database in
      _ = try runRow(run, in: database)
      try database.execute(
        "DELETE FROM tags WHERE run_id = ? AND key = ?", [.integer(run), .text(key)])
    }
  }

  public func updateRun(_ run: RunID, _ update: RunUpdate) throws {
    if let name = update.name { try NameRules.validateName(name, kind: "run") }
    let now = Date().timeIntervalSince1970
    try write { database in
      _ = try runRow(run, in: database)
      if let name = update.name {
        try database.execute("UPDATE runs SET name = ? WHERE id = ?", [.text(name), .integer(run)])
      }
      if let status = update.status {
        if status == .running {
          try database.execute(
            "UPDATE runs SET status = 'running', ended_at = NULL, heartbeat_at = ? WHERE id = ?",
            [.real(now), .integer(run)])
        } else {
          let ended = update.endedAt?.timeIntervalSince1970 ?? now
          try database.execute(
            "UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?",
            [.text(status.rawValue), .real(ended), .real(now), .integer(run)])
        }
      }
      if let deleted = update.deleted {
        try database.execute(
          "UPDATE runs SET deleted_at = ? WHERE id = ?",
          [deleted ? .real(now) : .null, .integer(run)])
      }
    }
  }

  // MARK: Experiments

  public func experiments(includeDeleted: Bool) throws -> [Experiment] {
    try withDatabase { database in
      var tags: [Int64: [String: String]] = [:]
      try database.statement("SELECT experiment_id, key, value FROM experiment_tags").forEach {
        row in tags[row.int64(0), default: [:]][row.string(1)] = row.string(2)
      }
      let stored = try database.statement(
        "SELECT id, name, lifecycle, created_at, updated_at FROM experiments "
          + (includeDeleted ? "" : "WHERE lifecycle = 'active' ") + "ORDER BY id"
      ).map { row in SQLiteStore.decodeExperiment(row, tags: tags[row.int64(0)] ?? [:]) }
      return [try defaultExperiment(in: database)] + stored
    }
  }

  public func experiment(id: Int64) throws -> Experiment {
    try withDatabase { try experimentRow(id, in: $0) }
  }

  public func experiment(named name: String) throws -> Experiment? {
    try withDatabase { database in
      if name == Experiment.defaultName { return try defaultExperiment(in: database) }
      guard
        let id = try database.integer("SELECT id FROM experiments WHERE name = ?", [.text(name)])
      else { return nil }
      return try experimentRow(id, in: database)
    }
  }

  public func createExperiment(name: String, tags: [String: String]) throws -> Experiment {
    try NameRules.validateName(name, kind: "experiment")
    for key in tags.keys { try NameRules.validateKey(key, kind: "experiment tag") }
    let now = Date().timeIntervalSince1970
    let id = try write { database -> Int64 in
      if try isExperimentNameTaken(name, in: database) {
        throw TrackingError(
          .experimentExists,
          "An experiment named '\(name)' already exists (perhaps deleted: restore it, or "
            + "choose another name).")
      }
      try database.execute(
        "INSERT INTO experiments (name, created_at, updated_at) VALUES (?, ?, ?)",
        [.text(name), .real(now), .real(now)])
      let id = database.lastInsertRowID
      for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
        try database.execute(
          "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)",
          [.integer(id), .text(key), .text(value)])
      }
      return id
    }
    return try experiment(id: id)
  }

  public func updateExperiment(id: Int64, name: String?, deleted: Bool?) throws {
    if let name { try NameRules.validateName(name, kind: "experiment") }
    try write { database in
      guard id != Experiment.defaultID else {
        throw TrackingError(
          .invalidValue, "The default experiment (id 0) cannot be renamed or deleted.")
      }
      let current = try experimentRow(id, in: database)
      if let name, name != current.name {
        if try isExperimentNameTaken(name, in: database) {
          throw TrackingError(
            .experimentExists, "An experiment named '\(name)' already exists; choose another.")
        }
        try database.execute(
          "UPDATE experiments SET name = ? WHERE id = ?", [.text(name), .integer(id)])
      }
      if let deleted {
        try database.execute(
          "UPDATE experiments SET lifecycle = ? WHERE id = ?",
          [.text(deleted ? "deleted" : "active"), .integer(id)])
      }
      try touchExperiment(id, in: database)
    }
  }

  public func setExperimentTag(experiment id: Int64, key: String, value: String) throws {
    try NameRules.validateKey(key, kind: "experiment tag")
    try write { database in
      guard id != Experiment.defaultID else {
        throw TrackingError(.invalidValue, "The default experiment (id 0) cannot have tags.")
      }
      _ = try experimentRow(id, in: database)
      try database.execute(
        """
        INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
        ON CONFLICT(experiment_id, key) DO UPDATE SET value = excluded.value
        """, [.integer(id), .text(key), .text(value)])
      try touchExperiment(id, in: database)
    }
  }

  private func isExperimentNameTaken(_ name: String, in database: Database) throws -> Bool {
    if name == Experiment.defaultName { return true }
    return try database.integer("SELECT id FROM experiments WHERE name = ?", [.text(name)]) != nil
  }

  private func touchExperiment(_ id: Int64, in database: Database) throws {
    try database.execute(
      "UPDATE experiments SET updated_at = ? WHERE id = ?",
      [.real(Date().timeIntervalSince1970), .integer(id)])
  }

  func experimentRow(_ id: Int64, in database: Database) throws -> Experiment {
    if id == Experiment.defaultID { return try defaultExperiment(in: database) }
    var tags: [String: String] = [:]
    try database.statement("SELECT key, value FROM experiment_tags WHERE experiment_id = ?")
      .forEach([.integer(id)]) { tags[$0.string(0)] = $0.string(1) }
    guard
      let experiment = try database.statement(
        "SELECT id, name, lifecycle, created_at, updated_at FROM experiments WHERE id = ?"
      ).first([.integer(id)], { SQLiteStore.decodeExperiment($0, tags: tags) })
    else {
      throw TrackingError(
        .experimentNotFound, "There is no experiment with id \(id) in \(path).")
    }
    return experiment
  }

  /// The default experiment: the runs without one, created with the store.
  private func defaultExperiment(in database: Database) throws -> Experiment {
    let created =
      try database.statement("SELECT min(applied_at) FROM schema_migrations").first {
        $0.optionalDouble(0)
      } ?? nil
    let date = Date(timeIntervalSince1970: created ?? 0)
    return Experiment(id: Experiment.defaultID, name: Experiment.defaultName, createdAt: date)
  }

  static func decodeExperiment(_ row: Statement, tags: [String: String]) -> Experiment {
    let created = Date(timeIntervalSince1970: row.double(3))
    return Experiment(
      id: row.int64(0), name: row.string(1), isDeleted: row.string(2) == "deleted",
      createdAt: created,
      updatedAt: row.optionalDouble(4).map(Date.init(timeIntervalSince1970:)) ?? created,
      tags: tags)
  }

  // MARK: Artifacts

  public func artifacts(of run: RunID, prefix: String?) throws -> [ArtifactRecord] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      var sql = "SELECT run_id, path, sha256, size, created_at FROM artifacts WHERE run_id = ?"
      var arguments: [StoreValue] = [.integer(run)]
      if let prefix, !prefix.isEmpty {
        // A range of the primary key: every path that starts with `prefix`.
        sql += " AND path >= ? AND path < ?"
        arguments += [.text(prefix), .text(prefix + "\u{10FFFF}")]
      }
      return try database.statement(sql + " ORDER BY path").map(
        arguments, SQLiteStore.decodeArtifact)
    }
  }

  public func artifact(of run: RunID, path: String) throws -> ArtifactRecord {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      guard
        let record = try database.statement(
          "SELECT run_id, path, sha256, size, created_at FROM artifacts "
            + "WHERE run_id = ? AND path = ?"
        ).first([.integer(run), .text(path)], SQLiteStore.decodeArtifact)
      else {
        throw TrackingError(
          .artifactNotFound, "Run \(run) has no artifact at '\(path.prefix(200))'.")
      }
      return record
    }
  }

  public func saveArtifact(run: RunID, path: String, data: Data) throws -> ArtifactRecord {
    try ArtifactRecord.validate(path: path)
    let now = Date().timeIntervalSince1970
    try write { database in
      _ = try runRow(run, in: database)
      let previous = try database.statement(
        "SELECT sha256 FROM artifacts WHERE run_id = ? AND path = ?"
      ).first([.integer(run), .text(path)]) { $0.string(0) }
      let sha = try storeBlob(data, in: database)
      try database.execute(
        """
        INSERT INTO artifacts (run_id, path, sha256, size, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(run_id, path) DO UPDATE SET sha256 = excluded.sha256,
          size = excluded.size, created_at = excluded.created_at
        """, [.integer(run), .text(path), .text(sha), .integer(Int64(data.count)), .real(now)])
      if let previous, previous != sha { try deleteUnreferencedBlobs([previous], in: database) }
    }
    return try artifact(of: run, path: path)
  }

  static func decodeArtifact(_ row: Statement) -> ArtifactRecord {
    ArtifactRecord(
      run: row.int64(0), path: row.string(1), sha256: row.string(2), size: row.int64(3),
      createdAt: Date(timeIntervalSince1970: row.double(4)))
  }
}

/// MLflow 3's logged models (migration 0007).
extension SQLiteStore {
  private static let modelColumns =
    "id, run_id, COALESCE(experiment_id, 0), name, model_type, status, created_at, updated_at, params, tags"

  public func loggedModel(id: String) throws -> LoggedModelRecord? {
    try withDatabase { database in
      try database.statement("SELECT \(SQLiteStore.modelColumns) FROM logged_models WHERE id = ?")
        .first([.text(id)], SQLiteStore.decodeModel)
    }
  }

  public func loggedModels(experiments: [Int64]) throws -> [LoggedModelRecord] {
    try withDatabase { database in
      var sql = "SELECT \(SQLiteStore.modelColumns) FROM logged_models"
      if !experiments.isEmpty {
        sql += " WHERE COALESCE(experiment_id, 0) IN ("
          + experiments.map { _ in "?" }.joined(separator: ", ") + ")"
      }
      return try database.statement(sql + " ORDER BY created_at DESC, id").map(
        experiments.map(StoreValue.integer), SQLiteStore.decodeModel)
    }
  }

  public func saveLoggedModel(_ model: LoggedModelRecord) throws {
    try write { database in
      if let run = model.run { _ = try runRow(run, in: database) }
      if model.experimentID != Experiment.defaultID {
        _ = try experimentRow(model.experimentID, in: database)
      }
      try database.execute(
        """
        INSERT INTO logged_models (id, run_id, experiment_id, name, model_type, status,
                                   created_at, updated_at, params, tags)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET run_id = excluded.run_id,
          experiment_id = excluded.experiment_id, name = excluded.name,
          model_type = excluded.model_type, status = excluded.status,
          updated_at = excluded.updated_at, params = excluded.params, tags = excluded.tags
        """,
        [
          .text(model.id), model.run.map(StoreValue.integer) ?? .null,
          model.experimentID == Experiment.defaultID ? .null : .integer(model.experimentID),
          .text(model.name), model.modelType.map(StoreValue.text) ?? .null, .text(model.status),
          .real(model.createdAt.timeIntervalSince1970), .real(model.updatedAt.timeIntervalSince1970),
          .text(SQLiteStore.jsonObject(model.params)), .text(SQLiteStore.jsonObject(model.tags)),
        ])
    }
  }

  public func deleteLoggedModel(id: String) throws {
    try write { database in
      try database.execute("DELETE FROM logged_models WHERE id = ?", [.text(id)])
    }
  }

  static func decodeModel(_ row: Statement) -> LoggedModelRecord {
    LoggedModelRecord(
      id: row.string(0), run: row.optionalInt64(1), experimentID: row.int64(2),
      name: row.string(3), modelType: row.optionalString(4), status: row.string(5),
      createdAt: Date(timeIntervalSince1970: row.double(6)),
      updatedAt: Date(timeIntervalSince1970: row.double(7)),
      params: jsonDictionary(row.string(8)), tags: jsonDictionary(row.string(9)))
  }

  /// A JSON object of strings, keys sorted (stable bytes).
  static func jsonObject(_ values: [String: String]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }

  static func jsonDictionary(_ text: String) -> [String: String] {
    (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
  }
}
