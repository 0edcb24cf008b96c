import Foundation
import Tracking

/// The writes of a live run (`RunLogger` calls them), each one transaction.
extension SQLiteStore {
  public func appendMetrics(_ points: [MetricPoint], to run: RunID, heartbeat: Date?) throws {
    if points.isEmpty && heartbeat == nil { return }
    try write { database in
      try insertMetrics(points, run: run, in: database)
      if let heartbeat {
        try database.execute(
          "UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
          [.real(heartbeat.timeIntervalSince1970), .integer(run)])
      }
    }
  }

  public func endRun(_ run: RunID, status: RunStatus, lastPoints: [MetricPoint]) throws {
    let now = Date().timeIntervalSince1970
    try write { database in
      _ = try runRow(run, in: database)
      try insertMetrics(lastPoints, run: run, in: database)
      try database.execute(
        "UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?",
        [.text(status.rawValue), .real(now), .real(now), .integer(run)])
    }
  }

  /// Inserts points (prepared statement) and keeps `metric_latest` current: per metric, the
  /// point with the highest step wins, and among equal steps the one logged last.
  ///
  /// A point goes to `metric_points` with `seq` 0 when its step is past the series' end (the
  /// usual case, no lookup); a step already stored gets the next `seq` for it, and so does a
  /// point whose (run, key, step, 0) another writer of the same run took first.
  private func insertMetrics(_ points: [MetricPoint], run: RunID, in database: Database) throws {
    guard !points.isEmpty else { return }
    let insert = try database.statement(
      """
      INSERT INTO metric_points (run_id, key_id, step, seq, epoch, task, value, wall_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
      """)
    let origin = try runOrigin(run, in: database)
    var latest: [Int64: MetricPoint] = [:]
    var lastKey = ""
    var lastKeyID: Int64 = 0
    var end = Int.min
    for point in points {
      if point.key != lastKey {
        if !lastKey.isEmpty { seriesEnds[SeriesKey(run: run, key: lastKeyID)] = end }
        lastKeyID = try metricKeyID(point.key, in: database)
        lastKey = point.key
        end = try seriesEnd(SeriesKey(run: run, key: lastKeyID), in: database)
      }
      let wall = Int64(((point.wallTime.timeIntervalSince1970 - origin) * 1000).rounded())
      var seq: Int64 =
        point.step > end ? 0 : try nextSeq(run: run, key: lastKeyID, step: point.step, in: database)
      while true {
        insert.reset()
        insert.bindFast(run, at: 1)
        insert.bindFast(lastKeyID, at: 2)
        insert.bindFast(Int64(point.step), at: 3)
        insert.bindFast(seq, at: 4)
        insert.bindFast(point.epoch.map(Int64.init), at: 5)
        insert.bindFast(point.task.map(Int64.init), at: 6)
        insert.bindFast(point.value, at: 7)
        insert.bindFast(wall, at: 8)
        try insert.step()
        if database.changes > 0 { break }
        seq = try nextSeq(run: run, key: lastKeyID, step: point.step, in: database)
      }
      end = max(end, point.step)
      if let current = latest[lastKeyID], current.step > point.step { continue }
      latest[lastKeyID] = point
    }
    seriesEnds[SeriesKey(run: run, key: lastKeyID)] = end
    let upsert = try database.statement(
      """
      INSERT INTO metric_latest (run_id, key_id, step, value, wall_time) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(run_id, key_id) DO UPDATE SET step = excluded.step, value = excluded.value,
        wall_time = excluded.wall_time
      WHERE excluded.step >= metric_latest.step
      """)
    for (keyID, point) in latest {
      upsert.reset()
      upsert.bindFast(run, at: 1)
      upsert.bindFast(keyID, at: 2)
      upsert.bindFast(Int64(point.step), at: 3)
      upsert.bindFast(point.value, at: 4)
      upsert.bindFast(point.wallTime.timeIntervalSince1970, at: 5)
      try upsert.step()
    }
  }

  /// The highest step stored for a series (cached; read once per series and connection).
  private func seriesEnd(_ series: SeriesKey, in database: Database) throws -> Int {
    if let end = seriesEnds[series] { return end }
    let end = try database.integer(
      "SELECT max(step) FROM metric_points WHERE run_id = ? AND key_id = ?",
      [.integer(series.run), .integer(series.key)]
    ).map(Int.init) ?? Int.min
    seriesEnds[series] = end
    return end
  }

  /// The next free `seq` for a step of a series.
  private func nextSeq(run: RunID, key: Int64, step: Int, in database: Database) throws -> Int64 {
    try database.integer(
      """
      SELECT COALESCE(max(seq) + 1, 0) FROM metric_points
      WHERE run_id = ? AND key_id = ? AND step = ?
      """, [.integer(run), .integer(key), .integer(Int64(step))]) ?? 0
  }

  /// The run's `created_at`: `wall_ms` counts from it (cached per run).
  func runOrigin(_ run: RunID, in database: Database) throws -> Double {
    if let origin = runOrigins[run] { return origin }
    guard
      let origin = try database.statement("SELECT created_at FROM runs WHERE id = ?")
        .first([.integer(run)], { $0.double(0) })
    else {
      throw TrackingError(
        .runNotFound, "There is no run with id \(run) in \(path). `track runs` lists the runs.")
    }
    runOrigins[run] = origin
    return origin
  }

  public func recordTasks(_ tasks: [TaskRecord], run: RunID) throws {
    for task in tasks where task.index < 1 || task.trainSize < 0 || task.testSize < 0 {
      throw TrackingError(
        .invalidValue,
        "Task \(task.index) ('\(task.name)') of run \(run) is invalid: indices start at 1 and "
          + "sizes cannot be negative.")
    }
    try write { database in
      _ = try runRow(run, in: database)
      for task in tasks {
        let classes = String(decoding: try JSONEncoder().encode(task.classes), as: UTF8.self)
        try database.execute(
          """
          INSERT INTO tasks (run_id, task, name, train_size, test_size, classes)
          VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT(run_id, task) DO UPDATE SET name = excluded.name,
            train_size = excluded.train_size, test_size = excluded.test_size,
            classes = excluded.classes
          """,
          [
            .integer(run), .integer(Int64(task.index)), .text(task.name),
            .integer(Int64(task.trainSize)), .integer(Int64(task.testSize)), .text(classes),
          ])
      }
    }
  }

  public func recordMatrixRow(
    run: RunID, trainedThrough: Int, scores: [Double], metric: String
  ) throws {
    try NameRules.validateKey(metric, kind: "matrix metric", run: run)
    guard trainedThrough >= 0, !scores.isEmpty else {
      throw TrackingError(
        .invalidValue,
        "Matrix row \(trainedThrough) of run \(run) is invalid: the row index must be >= 0 "
          + "(0 = baseline) and the row needs one score per task.")
    }
    try write { database in
      _ = try runRow(run, in: database)
      let width = try database.integer(
        "SELECT max(task) FROM matrix WHERE run_id = ? AND metric = ?",
        [.integer(run), .text(metric)])
      if let width, width != Int64(scores.count) {
        throw TrackingError(
          .invalidValue,
          "Matrix row \(trainedThrough) of run \(run) ('\(metric)') has \(scores.count) scores, "
            + "but earlier rows have \(width): every row scores every task.")
      }
      for (offset, score) in scores.enumerated() {
        try database.execute(
          """
          INSERT INTO matrix (run_id, metric, trained_through, task, value) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT(run_id, metric, trained_through, task) DO UPDATE SET value = excluded.value
          """,
          [
            .integer(run), .text(metric), .integer(Int64(trainedThrough)),
            .integer(Int64(offset + 1)), .real(score),
          ])
      }
      try updateMatrixSummary(run: run, metric: metric, in: database)
    }
  }

  public func saveCheckpoint(
    run: RunID, task: Int, epoch: Int?, kind: String, data: Data
  ) throws -> String {
    try NameRules.validateKey(kind, kind: "checkpoint kind", run: run)
    return try write { database in
      _ = try runRow(run, in: database)
      let sha = try storeBlob(data, in: database)
      try database.execute(
        """
        INSERT INTO checkpoints (run_id, task, epoch, kind, sha256, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
          .integer(run), .integer(Int64(task)), epoch.map { .integer(Int64($0)) } ?? .null,
          .text(kind), .text(sha), .real(Date().timeIntervalSince1970),
        ])
      return sha
    }
  }

  public func addKnowledge(_ entries: [KnowledgeEntry], to run: RunID) throws -> [Int64] {
    let now = Date().timeIntervalSince1970
    return try write { database in
      _ = try runRow(run, in: database)
      return try entries.map { entry in
        let sha = try storeBlob(entry.features, in: database)
        let logits: StoreValue = entry.logits.map { .blob($0) } ?? .null
        try database.execute(
          """
          INSERT INTO knowledge
            (run_id, source_run_id, features_sha256, target, task, added_at, logits)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """,
          [
            .integer(run), .integer(entry.sourceRun ?? run), .text(sha), .real(entry.target),
            .integer(Int64(entry.task)), .real(entry.addedAt?.timeIntervalSince1970 ?? now),
            logits,
          ])
        return database.lastInsertRowID
      }
    }
  }

  public func removeKnowledge(ids: [Int64], from run: RunID) throws {
    try write { database in
      var released: Set<String> = []
      let find = try database.statement(
        "SELECT features_sha256 FROM knowledge WHERE id = ? AND run_id = ?")
      for entryID in ids {
        if let sha = try find.first([.integer(entryID), .integer(run)], { $0.string(0) }) {
          released.insert(sha)
        }
        try database.execute(
          "DELETE FROM knowledge WHERE id = ? AND run_id = ?", [.integer(entryID), .integer(run)])
      }
      try deleteUnreferencedBlobs(released, in: database)
    }
  }

  public func deleteCheckpoints(of run: RunID, before task: Int) throws {
    try write { database in
      let released = Set(
        try database.statement("SELECT sha256 FROM checkpoints WHERE run_id = ? AND task < ?")
          .map([.integer(run), .integer(Int64(task))]) { $0.string(0) })
      try database.execute(
        "DELETE FROM checkpoints WHERE run_id = ? AND task < ?",
        [.integer(run), .integer(Int64(task))])
      try deleteUnreferencedBlobs(released, in: database)
    }
  }

  /// Deletes the blobs among `candidates` that no checkpoint, knowledge entry or artifact references,
  /// inside the caller's transaction: the blob goes with its last reference (a replay run
  /// left thousands of replaced samples behind for `gc`).
  func deleteUnreferencedBlobs(_ candidates: Set<String>, in database: Database) throws {
    for sha in candidates.sorted() {
      try database.execute(
        """
        DELETE FROM blobs WHERE sha256 = ?
          AND NOT EXISTS (SELECT 1 FROM checkpoints WHERE sha256 = ?)
          AND NOT EXISTS (SELECT 1 FROM knowledge WHERE features_sha256 = ?)
          AND NOT EXISTS (SELECT 1 FROM artifacts WHERE sha256 = ?)
        """, [.text(sha), .text(sha), .text(sha), .text(sha)])
    }
  }
}
