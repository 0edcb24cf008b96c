import Foundation

/// Live handle of a running run: buffered logging (flushed on size, on a short interval and on
/// finish), the heartbeat, and the run's writes. Thread-safe.
///
/// ```swift
/// let run = try store.startRun(name: nil, experiment: "sweep", params: [:])
/// for step in 0..<1000 { try run.log("loss", value: loss(step), step: step) }
/// try run.finish()   // flushes; status becomes finished
/// ```
/// Without `finish`, buffered points are still written when the logger is released or the
/// process exits normally; the heartbeat stops and the run reads as `crashed`.
public final class RunLogger: @unchecked Sendable {
  /// The run's id in the store.
  public let id: RunID
  /// The run's globally unique id.
  public let uuid: String
  /// The store written to.
  public let store: Store

  /// A flush happens as soon as this many points are buffered.
  public static let flushSize = 4_096
  /// Buffered points are written at least this often.
  public static let flushInterval: TimeInterval = 1

  private let lock = NSLock()
  private var buffer: [MetricPoint] = []
  private var finished = false
  private var backgroundError: TrackingError?
  private var timer: DispatchSourceTimer?
  private var lastHeartbeat = Date()
  private var validatedKeys: Set<String> = []

  init(store: Store, id: RunID, uuid: String) {
    self.store = store
    self.id = id
    self.uuid = uuid
    buffer.reserveCapacity(RunLogger.flushSize)
    let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "track.run.\(id)"))
    timer.schedule(
      deadline: .now() + RunLogger.flushInterval, repeating: RunLogger.flushInterval,
      leeway: .milliseconds(100))
    timer.setEventHandler { [weak self] in self?.tick() }
    timer.resume()
    self.timer = timer
    LiveRunLoggers.add(self)
  }

  deinit {
    timer?.cancel()
    LiveRunLoggers.remove(self)
    // Released without finish(): write what is still buffered rather than drop it.
    if !finished, !buffer.isEmpty { try? write(buffer, heartbeat: true) }
  }

  /// Logs a parameter; the same value again is fine, a different value throws `.paramConflict`.
  public func logParam(_ key: String, _ value: ParamValue) throws {
    try NameRules.validateKey(key, kind: "param", run: id)
    try checkActive()
    try store.write { try store.insertParam(run: id, key: key, value: value, in: $0) }
  }

  /// Logs one metric point (buffered; cheap).
  public func log(
    _ key: String, value: Double, step: Int, epoch: Int? = nil, task: Int? = nil
  ) throws {
    try log(
      batch: CollectionOfOne(
        MetricPoint(key: key, value: value, step: step, epoch: epoch, task: task)))
  }

  /// Logs many points at once (buffered).
  public func log<Points: Collection>(batch points: Points) throws
  where Points.Element == MetricPoint {
    lock.lock()
    if let error = backgroundError {
      backgroundError = nil
      lock.unlock()
      throw error
    }
    if finished {
      lock.unlock()
      throw inactiveError()
    }
    for point in points where !validatedKeys.contains(point.key) {
      do {
        try NameRules.validateKey(point.key, kind: "metric", run: id)
      } catch {
        lock.unlock()
        throw error
      }
      validatedKeys.insert(point.key)
    }
    buffer.append(contentsOf: points)
    let full = buffer.count >= RunLogger.flushSize
    lock.unlock()
    if full { try flush() }
  }

  /// Logs many points at once (buffered).
  public func log(batch points: [MetricPoint]) throws {
    try log(batch: points[...])
  }

  /// Sets (or replaces) a tag.
  public func setTag(_ key: String, _ value: String) throws {
    try store.setTag(run: id, key: key, value: value)
  }

  /// Records the tasks of the stream (replacing any recorded before for the same indices).
  public func recordTasks(_ tasks: [TaskRecord]) throws {
    try checkActive()
    for task in tasks where task.index < 1 || task.trainSize < 0 || task.testSize < 0 {
      throw TrackingError(
        .invalidValue,
        "Task \(task.index) ('\(task.name)') of run \(id) is invalid: indices start at 1 and "
          + "sizes cannot be negative.")
    }
    try store.write { database in
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
            .integer(id), .integer(Int64(task.index)), .text(task.name),
            .integer(Int64(task.trainSize)), .integer(Int64(task.testSize)), .text(classes),
          ])
      }
    }
  }

  /// Records row `trainedThrough` of the matrix (0 = baseline b): `scores[j-1]` is the score
  /// on task j. Updates the run's ACC/BWT/FWT/forgetting.
  public func recordMatrixRow(trainedThrough: Int, scores: [Double], metric: String) throws {
    try NameRules.validateKey(metric, kind: "matrix metric", run: id)
    try checkActive()
    guard trainedThrough >= 0, !scores.isEmpty else {
      throw TrackingError(
        .invalidValue,
        "Matrix row \(trainedThrough) of run \(id) is invalid: the row index must be >= 0 "
          + "(0 = baseline) and the row needs one score per task.")
    }
    try store.write { database in
      let width = try database.integer(
        "SELECT max(task) FROM matrix WHERE run_id = ? AND metric = ?",
        [.integer(id), .text(metric)])
      if let width, width != Int64(scores.count) {
        throw TrackingError(
          .invalidValue,
          "Matrix row \(trainedThrough) of run \(id) ('\(metric)') has \(scores.count) scores, "
            + "but earlier rows have \(width): every row scores every task.")
      }
      for (offset, score) in scores.enumerated() {
        try database.execute(
          """
          INSERT INTO matrix (run_id, metric, trained_through, task, value) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT(run_id, metric, trained_through, task) DO UPDATE SET value = excluded.value
          """,
          [
            .integer(id), .text(metric), .integer(Int64(trainedThrough)),
            .integer(Int64(offset + 1)), .real(score),
          ])
      }
      try store.updateMatrixSummary(run: id, metric: metric, in: database)
    }
  }

  /// Saves a checkpoint blob (stored once by content); returns its SHA-256.
  @discardableResult
  public func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws -> String {
    try NameRules.validateKey(kind, kind: "checkpoint kind", run: id)
    try checkActive()
    return try store.write { database in
      let sha = try store.storeBlob(data, in: database)
      try database.execute(
        """
        INSERT INTO checkpoints (run_id, task, epoch, kind, sha256, created_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        [
          .integer(id), .integer(Int64(task)), epoch.map { .integer(Int64($0)) } ?? .null,
          .text(kind), .text(sha), .real(Date().timeIntervalSince1970),
        ])
      return sha
    }
  }

  /// Adds entries to this run's knowledge base; returns their ids in order.
  @discardableResult
  public func addKnowledge(_ entries: [KnowledgeEntry]) throws -> [Int64] {
    try checkActive()
    let now = Date().timeIntervalSince1970
    return try store.write { database in
      try entries.map { entry in
        let sha = try store.storeBlob(entry.features, in: database)
        try database.execute(
          """
          INSERT INTO knowledge (run_id, source_run_id, features_sha256, target, task, added_at)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
          [
            .integer(id), .integer(id), .text(sha), .real(entry.target),
            .integer(Int64(entry.task)), .real(now),
          ])
        return database.lastInsertRowID
      }
    }
  }

  /// Removes entries from this run's knowledge base (ids of other runs are ignored).
  public func removeKnowledge(ids: [Int64]) throws {
    try checkActive()
    try store.write { database in
      for entryID in ids {
        try database.execute(
          "DELETE FROM knowledge WHERE id = ? AND run_id = ?", [.integer(entryID), .integer(id)])
      }
    }
  }

  /// Writes buffered points now (one transaction) and beats the heartbeat.
  public func flush() throws {
    lock.lock()
    let points = buffer
    buffer.removeAll(keepingCapacity: true)
    lock.unlock()
    try write(points, heartbeat: true)
  }

  /// Flushes and marks the run ended with `status`; later writes throw `.runNotActive`.
  public func finish(_ status: RunStatus = .finished) throws {
    lock.lock()
    if finished {
      lock.unlock()
      return
    }
    finished = true
    let points = buffer
    buffer.removeAll()
    lock.unlock()
    LiveRunLoggers.remove(self)
    timer?.cancel()
    timer = nil
    let now = Date().timeIntervalSince1970
    try store.write { database in
      try write(points, heartbeat: false, in: database)
      try database.execute(
        "UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?",
        [.text(status.rawValue), .real(now), .real(now), .integer(id)])
    }
  }

  // MARK: - Internals

  private func tick() {
    lock.lock()
    let points = buffer
    let due = Date().timeIntervalSince(lastHeartbeat) >= Store.heartbeatInterval
    guard !finished, !points.isEmpty || due else {
      lock.unlock()
      return
    }
    buffer.removeAll(keepingCapacity: true)
    lock.unlock()
    do {
      try write(points, heartbeat: true)
    } catch let error as TrackingError {
      lock.lock()
      backgroundError = error
      lock.unlock()
    } catch {}
  }

  private func write(_ points: [MetricPoint], heartbeat: Bool) throws {
    if points.isEmpty && !heartbeat { return }
    try store.write { database in
      try write(points, heartbeat: heartbeat, in: database)
    }
  }

  /// Inserts points (prepared statement, one transaction) and keeps `metric_latest` current.
  private func write(_ points: [MetricPoint], heartbeat: Bool, in database: Database) throws {
    let insert = try database.statement(
      """
      INSERT INTO metrics (run_id, key_id, step, epoch, task, value, wall_time)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      """)
    var latest: [Int64: MetricPoint] = [:]
    var lastKey = ""
    var lastKeyID: Int64 = 0
    for point in points {
      if point.key != lastKey {
        lastKeyID = try store.metricKeyID(point.key, in: database)
        lastKey = point.key
      }
      insert.reset()
      insert.bindFast(id, at: 1)
      insert.bindFast(lastKeyID, at: 2)
      insert.bindFast(Int64(point.step), at: 3)
      insert.bindFast(point.epoch.map(Int64.init), at: 4)
      insert.bindFast(point.task.map(Int64.init), at: 5)
      insert.bindFast(point.value, at: 6)
      insert.bindFast(point.wallTime.timeIntervalSince1970, at: 7)
      try insert.step()
      if let current = latest[lastKeyID], current.step > point.step { continue }
      latest[lastKeyID] = point
    }
    if !latest.isEmpty {
      let upsert = try database.statement(
        """
        INSERT INTO metric_latest (run_id, key_id, step, value, wall_time) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(run_id, key_id) DO UPDATE SET step = excluded.step, value = excluded.value,
          wall_time = excluded.wall_time
        WHERE excluded.step >= metric_latest.step
        """)
      for (keyID, point) in latest {
        upsert.reset()
        upsert.bindFast(id, at: 1)
        upsert.bindFast(keyID, at: 2)
        upsert.bindFast(Int64(point.step), at: 3)
        upsert.bindFast(point.value, at: 4)
        upsert.bindFast(point.wallTime.timeIntervalSince1970, at: 5)
        try upsert.step()
      }
    }
    if heartbeat {
      let now = Date()
      try database.execute(
        "UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
        [.real(now.timeIntervalSince1970), .integer(id)])
      lock.lock()
      lastHeartbeat = now
      lock.unlock()
    }
  }

  private func checkActive() throws {
    lock.lock()
    defer { lock.unlock() }
    if finished { throw inactiveError() }
  }

  private func inactiveError() -> TrackingError {
    TrackingError(
      .runNotActive, "Run \(id) has finished; it cannot be written any more. Start a new run.")
  }
}
