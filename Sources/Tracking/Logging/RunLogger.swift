import Foundation

/// Live handle of a running run: buffered logging (flushed on size, on a short interval and on
/// finish), the heartbeat, and the run's writes. Thread-safe. Written once over
/// `StoreWriting`, so every backend gets the same buffering, ordering and heartbeat.
///
/// ```swift
/// let run = try store.startRun(name: nil, experiment: "sweep", params: [:])
/// for step in 0..<1000 { try run.log("loss", value: loss(step), step: step) }
/// try run.finish()   // flushes; status becomes finished
/// ```
/// Without `finish`, buffered points are still written when the logger is released or the
/// process exits normally; the heartbeat stops and the run reads as `crashed`.
// @unchecked: every mutable field is guarded by `lock`; `flushLock` orders whole flushes.
public final class RunLogger: @unchecked Sendable {
  /// The run's id in the store.
  public let id: RunID
  /// The run's globally unique id.
  public let uuid: String
  /// The store written to.
  public let store: any StoreWriting

  /// A flush happens as soon as this many points are buffered.
  public static let flushSize = 4_096
  /// Buffered points are written at least this often.
  public static let flushInterval: TimeInterval = 1
  /// How often a live run writes its heartbeat.
  public static let heartbeatInterval: TimeInterval = 5
  /// A `running` run whose heartbeat is older than this reads as `crashed`, unless the
  /// store's setting says otherwise (`StoreWriting.setStaleHeartbeat`).
  public static let staleHeartbeat: TimeInterval = 60

  private let lock = NSLock()
  /// Held from taking the buffer until its points are committed, so two flushes (the timer's
  /// and the caller's) commit in the order they took their points: equal steps keep their
  /// logging order and the right point wins in the latest values.
  /// Recursive: a flush can happen inside `transaction` on the same thread.
  private let flushLock = NSRecursiveLock()
  private var buffer: [MetricPoint] = []
  private var finished = false
  private var backgroundError: TrackingError?
  private var timer: DispatchSourceTimer?
  private var lastHeartbeat = Date()
  private var validatedKeys: Set<String> = []

  init(store: any StoreWriting, id: RunID, uuid: String) {
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
    if !finished, !buffer.isEmpty {
      try? store.appendMetrics(buffer, to: id, heartbeat: Date())
    }
  }

  /// Logs a parameter; the same value again is fine, a different value throws `.paramConflict`.
  public func logParam(_ key: String, _ value: ParamValue) throws {
    try NameRules.validateKey(key, kind: "param", run: id)
    try checkActive()
    try store.logParam(run: id, key: key, value: value)
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
    try store.recordTasks(tasks, run: id)
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
    try store.recordMatrixRow(
      run: id, trainedThrough: trainedThrough, scores: scores, metric: metric)
  }

  /// Saves a checkpoint blob (stored once by content); returns its SHA-256.
  @discardableResult
  public func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws -> String {
    try NameRules.validateKey(kind, kind: "checkpoint kind", run: id)
    try checkActive()
    return try store.saveCheckpoint(run: id, task: task, epoch: epoch, kind: kind, data: data)
  }

  /// Adds entries to this run's knowledge base; returns their ids in order.
  @discardableResult
  public func addKnowledge(_ entries: [KnowledgeEntry]) throws -> [Int64] {
    try checkActive()
    return try store.addKnowledge(entries, to: id)
  }

  /// Removes entries from this run's knowledge base (ids of other runs are ignored).
  public func removeKnowledge(ids: [Int64]) throws {
    try checkActive()
    try store.removeKnowledge(ids: ids, from: id)
  }

  /// Deletes this run's checkpoints of tasks before `task` (and blobs nothing else uses).
  public func dropCheckpoints(before task: Int) throws {
    try checkActive()
    try store.deleteCheckpoints(of: id, before: task)
  }

  /// Writes buffered points now (one transaction) and beats the heartbeat.
  public func flush() throws {
    flushLock.lock()
    defer { flushLock.unlock() }
    lock.lock()
    let points = buffer
    buffer.removeAll(keepingCapacity: true)
    lock.unlock()
    try beat(writing: points)
  }

  /// Runs `body` with the buffered points and every write `body` makes through this logger
  /// as one transaction: a task's completion (its matrix row, checkpoints and knowledge-base
  /// changes) is recorded entirely or not at all.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    flushLock.lock()
    defer { flushLock.unlock() }
    try checkActive()
    return try store.transaction {
      try flush()
      return try body()
    }
  }

  /// Flushes and marks the run ended with `status`; later writes throw `.runNotActive`.
  public func finish(_ status: RunStatus = .finished) throws {
    flushLock.lock()
    defer { flushLock.unlock() }
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
    try store.endRun(id, status: status, lastPoints: points)
  }

  // MARK: - Internals

  private func tick() {
    flushLock.lock()
    defer { flushLock.unlock() }
    lock.lock()
    let points = buffer
    let due = Date().timeIntervalSince(lastHeartbeat) >= RunLogger.heartbeatInterval
    guard !finished, !points.isEmpty || due else {
      lock.unlock()
      return
    }
    buffer.removeAll(keepingCapacity: true)
    lock.unlock()
    do {
      try beat(writing: points)
    } catch {
      // Kept for the next call from the user's thread, which throws it: the timer has no one
      // to report to.
      lock.lock()
      backgroundError =
        error as? TrackingError
        ?? TrackingError(.storage, "Writing buffered points of run \(id) failed: \(error)")
      lock.unlock()
    }
  }

  /// Writes points with a heartbeat (one transaction); the caller holds `flushLock`.
  private func beat(writing points: [MetricPoint]) throws {
    let now = Date()
    try store.appendMetrics(points, to: id, heartbeat: now)
    lock.lock()
    lastHeartbeat = now
    lock.unlock()
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
