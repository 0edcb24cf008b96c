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
  /// A point goes to `metric_values` when its step is new to the series (the usual case: one
  /// insert, no lookup); a step already stored, by this writer or another of the same run,
  /// puts it in `metric_repeats` with the step's next `seq`. Points are written one metric
  /// after another (a stable sort, so each metric keeps its logging order): each series then
  /// grows at its end, and its pages fill as an append fills them.
  private func insertMetrics(_ points: [MetricPoint], run: RunID, in database: Database) throws {
    guard !points.isEmpty else { return }
    let insert = try database.statement(
      """
      INSERT INTO metric_values (series_id, step, epoch, task, value, wall_ms)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
      """)
    let repeatInsert = try database.statement(
      """
      INSERT INTO metric_repeats (series_id, step, seq, epoch, task, value, wall_ms)
      SELECT ?1, ?2, COALESCE(max(seq) + 1, 1), ?3, ?4, ?5, ?6 FROM metric_repeats
      WHERE series_id = ?1 AND step = ?2
      """)
    let origin = try runOrigin(run, in: database)
    var latest: [(keyID: Int64, index: Int)] = []
    for (key, indices) in byMetric(points) {
      let keyID = try metricKeyID(key, in: database)
      let series = try seriesID(SeriesKey(run: run, key: keyID), in: database)
      var newest = indices[0]
      for index in indices {
        let wall = Int64(((points[index].wallTime.timeIntervalSince1970 - origin) * 1000).rounded())
        // Both statements take (series, step, epoch, task, value, wall_ms) as ?1 ... ?6.
        func put(_ statement: Statement) throws {
          statement.reset()
          statement.bindFast(series, at: 1)
          statement.bindFast(Int64(points[index].step), at: 2)
          statement.bindFast(points[index].epoch.map(Int64.init), at: 3)
          statement.bindFast(points[index].task.map(Int64.init), at: 4)
          statement.bindFast(points[index].value, at: 5)
          statement.bindFast(wall, at: 6)
          try statement.step()
        }
        try put(insert)
        if database.changes == 0 { try put(repeatInsert) }
        if points[index].step >= points[newest].step { newest = index }
      }
      latest.append((keyID, newest))
    }
    let upsert = try database.statement(
      """
      INSERT INTO metric_latest (run_id, key_id, step, value, wall_time) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(run_id, key_id) DO UPDATE SET step = excluded.step, value = excluded.value,
        wall_time = excluded.wall_time
      WHERE excluded.step >= metric_latest.step
      """)
    for (keyID, index) in latest {
      let point = points[index]
      upsert.reset()
      upsert.bindFast(run, at: 1)
      upsert.bindFast(keyID, at: 2)
      upsert.bindFast(Int64(point.step), at: 3)
      upsert.bindFast(point.value, at: 4)
      upsert.bindFast(point.wallTime.timeIntervalSince1970, at: 5)
      try upsert.step()
    }
  }

  /// The indices of the points grouped by metric, in order of each metric's first point and
  /// each metric's in the order given (no point is copied).
  private func byMetric(_ points: [MetricPoint]) -> [(key: String, indices: [Int])] {
    var order: [String: Int] = [:]
    var groups: [(key: String, indices: [Int])] = []
    var last = -1
    for (index, point) in points.enumerated() {
      if last < 0 || groups[last].key != point.key {
        if let found = order[point.key] {
          last = found
        } else {
          last = groups.count
          order[point.key] = last
          groups.append((point.key, []))
        }
      }
      groups[last].indices.append(index)
    }
    return groups
  }

  /// The id of a series in `metric_series`, numbered on its first point (cached per
  /// connection; `write` drops ids numbered in a transaction that failed).
  private func seriesID(_ series: SeriesKey, in database: Database) throws -> Int64 {
    if let id = seriesIDs[series] { return id }
    let find = try database.statement(
      "SELECT id FROM metric_series WHERE run_id = ? AND key_id = ?")
    let id: Int64
    if let found = try find.first([.integer(series.run), .integer(series.key)], { $0.int64(0) }) {
      id = found
    } else {
      try database.execute(
        "INSERT INTO metric_series (run_id, key_id) VALUES (?, ?)",
        [.integer(series.run), .integer(series.key)])
      id = database.lastInsertRowID
    }
    if seriesIDs.count >= SQLiteStore.seriesCacheLimit { seriesIDs.removeAll() }
    seriesIDs[series] = id
    return id
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
