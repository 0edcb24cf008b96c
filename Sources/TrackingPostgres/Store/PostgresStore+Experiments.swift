import Foundation
import PostgresNIO
import Tracking

/// Experiments, run life cycle, tag removal and artifacts: what MLflow's tracking API keeps
/// beyond a run's params, tags and metrics (migration 0007).
extension PostgresStore {
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
    guard let canonical = try? PostgresStore.canonicalUUID(uuid) else { return nil }
    return try read {
      try session.first(
        "SELECT \(PostgresStore.runColumns) \(PostgresStore.runFrom) WHERE r.uuid = $1",
        arguments(.text(canonical)), PostgresStore.decodeRun)
    }
  }

  public func deleteTag(run: RunID, key: String) throws {
    try write {
      _ = try runRow(run)
      try session.execute(
        "DELETE FROM tags WHERE run_id = $1 AND key = $2", arguments(.integer(run), .text(key)))
    }
  }

  public func updateRun(_ run: RunID, _ update: RunUpdate) throws {
    if let name = update.name { try NameRules.validateName(name, kind: "run") }
    let now = Date().timeIntervalSince1970
    try write {
      _ = try runRow(run)
      if let name = update.name {
        try session.execute(
          "UPDATE runs SET name = $1 WHERE id = $2", arguments(.text(name), .integer(run)))
      }
      if let status = update.status {
        if status == .running {
          try session.execute(
            "UPDATE runs SET status = 'running', ended_at = NULL, heartbeat_at = $1 WHERE id = $2",
            arguments(.real(now), .integer(run)))
        } else {
          let ended = update.endedAt?.timeIntervalSince1970 ?? now
          try session.execute(
            "UPDATE runs SET status = $1, ended_at = $2, heartbeat_at = $3 WHERE id = $4",
            arguments(.text(status.rawValue), .real(ended), .real(now), .integer(run)))
        }
      }
      if let deleted = update.deleted {
        try session.execute(
          "UPDATE runs SET deleted_at = $1 WHERE id = $2",
          arguments(deleted ? .real(now) : .null, .integer(run)))
      }
    }
  }

  // MARK: Experiments

  static let experimentColumns = "id, name, lifecycle, created_at, updated_at"

  public func experiments(includeDeleted: Bool) throws -> [Experiment] {
    try read {
      var tags: [Int64: [String: String]] = [:]
      for (id, key, value) in try session.rows(
        "SELECT experiment_id, key, value FROM experiment_tags", PostgresBindings(),
        { (try $0.int64(0), try $0.string(1), try $0.string(2)) })
      {
        tags[id, default: [:]][key] = value
      }
      let stored = try session.rows(
        "SELECT \(PostgresStore.experimentColumns) FROM experiments "
          + (includeDeleted ? "" : "WHERE lifecycle = 'active' ") + "ORDER BY id"
      ) { row in try PostgresStore.decodeExperiment(row, tags: tags[try row.int64(0)] ?? [:]) }
      return [try defaultExperiment()] + stored
    }
  }

  public func experiment(id: Int64) throws -> Experiment {
    try read { try experimentRow(id) }
  }

  public func experiment(named name: String) throws -> Experiment? {
    try read {
      if name == Experiment.defaultName { return try defaultExperiment() }
      guard
        let id = try session.integer(
          "SELECT id FROM experiments WHERE name = $1", arguments(.text(name)))
      else { return nil }
      return try experimentRow(id)
    }
  }

  public func createExperiment(name: String, tags: [String: String]) throws -> Experiment {
    try NameRules.validateName(name, kind: "experiment")
    for key in tags.keys { try NameRules.validateKey(key, kind: "experiment tag") }
    let now = Date().timeIntervalSince1970
    let id = try write { () -> Int64 in
      if try isExperimentNameTaken(name) {
        throw TrackingError(
          .experimentExists,
          "An experiment named '\(name)' already exists (perhaps deleted: restore it, or "
            + "choose another name).")
      }
      guard
        let id = try session.integer(
          "INSERT INTO experiments (name, created_at, updated_at) VALUES ($1, $2, $2) "
            + "RETURNING id", arguments(.text(name), .real(now)))
      else {
        throw TrackingError(.storage, "Creating an experiment in \(url.redacted) returned no id.")
      }
      for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
        try session.execute(
          "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3)",
          arguments(.integer(id), .text(key), .text(value)))
      }
      return id
    }
    return try experiment(id: id)
  }

  public func updateExperiment(id: Int64, name: String?, deleted: Bool?) throws {
    if let name { try NameRules.validateName(name, kind: "experiment") }
    try write {
      guard id != Experiment.defaultID else {
        throw TrackingError(
          .invalidValue, "The default experiment (id 0) cannot be renamed or deleted.")
      }
      let current = try experimentRow(id)
      if let name, name != current.name {
        if try isExperimentNameTaken(name) {
          throw TrackingError(
            .experimentExists, "An experiment named '\(name)' already exists; choose another.")
        }
        try session.execute(
          "UPDATE experiments SET name = $1 WHERE id = $2", arguments(.text(name), .integer(id)))
      }
      if let deleted {
        try session.execute(
          "UPDATE experiments SET lifecycle = $1 WHERE id = $2",
          arguments(.text(deleted ? "deleted" : "active"), .integer(id)))
      }
      try touchExperiment(id)
    }
  }

  public func setExperimentTag(experiment id: Int64, key: String, value: String) throws {
    try NameRules.validateKey(key, kind: "experiment tag")
    try write {
      guard id != Experiment.defaultID else {
        throw TrackingError(.invalidValue, "The default experiment (id 0) cannot have tags.")
      }
      _ = try experimentRow(id)
      try session.execute(
        """
        INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3)
        ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
        """, arguments(.integer(id), .text(key), .text(value)))
      try touchExperiment(id)
    }
  }

  private func isExperimentNameTaken(_ name: String) throws -> Bool {
    if name == Experiment.defaultName { return true }
    return try session.integer("SELECT id FROM experiments WHERE name = $1", arguments(.text(name)))
      != nil
  }

  private func touchExperiment(_ id: Int64) throws {
    try session.execute(
      "UPDATE experiments SET updated_at = $1 WHERE id = $2",
      arguments(.real(Date().timeIntervalSince1970), .integer(id)))
  }

  /// The experiment with this id, read under the lock; `.experimentNotFound` when absent.
  func experimentRow(_ id: Int64) throws -> Experiment {
    if id == Experiment.defaultID { return try defaultExperiment() }
    var tags: [String: String] = [:]
    for (key, value) in try session.rows(
      "SELECT key, value FROM experiment_tags WHERE experiment_id = $1", arguments(.integer(id)),
      { (try $0.string(0), try $0.string(1)) })
    {
      tags[key] = value
    }
    guard
      let experiment = try session.first(
        "SELECT \(PostgresStore.experimentColumns) FROM experiments WHERE id = $1",
        arguments(.integer(id)), { try PostgresStore.decodeExperiment($0, tags: tags) })
    else {
      throw TrackingError(
        .experimentNotFound, "There is no experiment with id \(id) in \(url.redacted).")
    }
    return experiment
  }

  /// The default experiment: the runs without one, created with the store.
  private func defaultExperiment() throws -> Experiment {
    let created =
      try session.first("SELECT min(applied_at) FROM schema_migrations") {
        try $0.optionalDouble(0)
      } ?? nil
    let date = Date(timeIntervalSince1970: created ?? 0)
    return Experiment(id: Experiment.defaultID, name: Experiment.defaultName, createdAt: date)
  }

  static func decodeExperiment(_ row: PostgresCells, tags: [String: String]) throws -> Experiment
  {
    let created = Date(timeIntervalSince1970: try row.double(3))
    return Experiment(
      id: try row.int64(0), name: try row.string(1), isDeleted: try row.string(2) == "deleted",
      createdAt: created,
      updatedAt: try row.optionalDouble(4).map(Date.init(timeIntervalSince1970:)) ?? created,
      tags: tags)
  }

  // MARK: Artifacts

  static let artifactColumns = "run_id, path, sha256, size, created_at"

  public func artifacts(of run: RunID, prefix: String?) throws -> [ArtifactRecord] {
    try read {
      _ = try runRow(run)
      guard let prefix, !prefix.isEmpty else {
        return try session.rows(
          "SELECT \(PostgresStore.artifactColumns) FROM artifacts WHERE run_id = $1 "
            + "ORDER BY path", arguments(.integer(run)), PostgresStore.decodeArtifact)
      }
      // A range of the primary key (path is COLLATE "C"): every path that starts with
      // `prefix`.
      return try session.rows(
        "SELECT \(PostgresStore.artifactColumns) FROM artifacts "
          + "WHERE run_id = $1 AND path >= $2 AND path < $3 ORDER BY path",
        arguments(.integer(run), .text(prefix), .text(prefix + "\u{10FFFF}")),
        PostgresStore.decodeArtifact)
    }
  }

  public func artifact(of run: RunID, path: String) throws -> ArtifactRecord {
    try read {
      _ = try runRow(run)
      guard
        let record = try session.first(
          "SELECT \(PostgresStore.artifactColumns) FROM artifacts "
            + "WHERE run_id = $1 AND path = $2", arguments(.integer(run), .text(path)),
          PostgresStore.decodeArtifact)
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
    try write {
      _ = try runRow(run)
      let previous = try session.first(
        "SELECT sha256 FROM artifacts WHERE run_id = $1 AND path = $2",
        arguments(.integer(run), .text(path))
      ) { try $0.string(0) }
      let sha = try storeBlob(data)
      try session.execute(
        """
        INSERT INTO artifacts (run_id, path, sha256, size, created_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (run_id, path) DO UPDATE SET sha256 = excluded.sha256,
          size = excluded.size, created_at = excluded.created_at
        """,
        arguments(
          .integer(run), .text(path), .text(sha), .integer(Int64(data.count)), .real(now)))
      if let previous, previous != sha { try deleteUnreferencedBlobs([previous]) }
    }
    return try artifact(of: run, path: path)
  }

  static func decodeArtifact(_ row: PostgresCells) throws -> ArtifactRecord {
    ArtifactRecord(
      run: try row.int64(0), path: try row.string(1), sha256: try row.string(2),
      size: try row.int64(3), createdAt: Date(timeIntervalSince1970: try row.double(4)))
  }
}

/// MLflow 3's logged models (migration 0007).
extension PostgresStore {
  private static let modelColumns =
    "id, run_id, COALESCE(experiment_id, 0), name, model_type, status, created_at, "
    + "updated_at, params, tags"

  public func loggedModel(id: String) throws -> LoggedModelRecord? {
    try read {
      try session.first(
        "SELECT \(PostgresStore.modelColumns) FROM logged_models WHERE id = $1",
        arguments(.text(id)), PostgresStore.decodeModel)
    }
  }

  public func loggedModels(experiments: [Int64]) throws -> [LoggedModelRecord] {
    try read {
      var bindings = PostgresBindings()
      var sql = "SELECT \(PostgresStore.modelColumns) FROM logged_models"
      if !experiments.isEmpty {
        sql += " WHERE COALESCE(experiment_id, 0) = ANY($1::bigint[])"
        bindings.append(experiments)
      }
      return try session.rows(
        sql + " ORDER BY created_at DESC, id", bindings, PostgresStore.decodeModel)
    }
  }

  public func saveLoggedModel(_ model: LoggedModelRecord) throws {
    try write {
      if let run = model.run { _ = try runRow(run) }
      if model.experimentID != Experiment.defaultID { _ = try experimentRow(model.experimentID) }
      try session.execute(
        """
        INSERT INTO logged_models (id, run_id, experiment_id, name, model_type, status,
                                   created_at, updated_at, params, tags)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id,
          experiment_id = excluded.experiment_id, name = excluded.name,
          model_type = excluded.model_type, status = excluded.status,
          updated_at = excluded.updated_at, params = excluded.params, tags = excluded.tags
        """,
        arguments(
          .text(model.id), model.run.map(StoreValue.integer) ?? .null,
          model.experimentID == Experiment.defaultID ? .null : .integer(model.experimentID),
          .text(model.name), model.modelType.map(StoreValue.text) ?? .null, .text(model.status),
          .real(model.createdAt.timeIntervalSince1970),
          .real(model.updatedAt.timeIntervalSince1970),
          .text(PostgresStore.jsonObject(model.params)),
          .text(PostgresStore.jsonObject(model.tags))))
    }
  }

  public func deleteLoggedModel(id: String) throws {
    try write {
      try session.execute("DELETE FROM logged_models WHERE id = $1", arguments(.text(id)))
    }
  }

  static func decodeModel(_ row: PostgresCells) throws -> LoggedModelRecord {
    LoggedModelRecord(
      id: try row.string(0), run: try row.optionalInt64(1), experimentID: try row.int64(2),
      name: try row.string(3), modelType: try row.optionalString(4), status: try row.string(5),
      createdAt: Date(timeIntervalSince1970: try row.double(6)),
      updatedAt: Date(timeIntervalSince1970: try row.double(7)),
      params: jsonDictionary(try row.string(8)), tags: jsonDictionary(try row.string(9)))
  }

  /// A JSON object of strings, keys sorted (stable bytes, as SQLite's backend writes it).
  static func jsonObject(_ values: [String: String]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }

  static func jsonDictionary(_ text: String) -> [String: String] {
    (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
  }
}
