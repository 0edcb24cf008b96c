import Foundation
import Testing
import TestSupport

@testable import Tracking
@testable import TrackingSQLite

/// One test per bug found in the SQLite store (issue 9); each failed before its fix.
struct StoreRegressionTests {
  /// Bug 1: a metric name interned in a transaction that rolled back kept its id in the
  /// cache, so the next new name got the same id and both names read back as one.
  @Test func aRolledBackMetricNameDoesNotLendItsIDToTheNextName() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "keys", experiment: nil, params: [:])
    // A flush that fails after interning "foo" (disk full, I/O error, ...).
    _ = expectTrackingError(.storage) {
      try store.write { database in
        _ = try store.metricKeyID("foo", in: database)
        throw TrackingError(.storage, "the disk is full")
      }
    }
    try run.log("bar", value: 1, step: 1)
    try run.log("foo", value: 2, step: 1)
    try run.finish()
    #expect(try store.metricSeries(of: run.id, key: "bar").map(\.value) == [1])
    #expect(try store.metricSeries(of: run.id, key: "foo").map(\.value) == [2])
    #expect(try store.latestMetrics(of: run.id) == ["bar": 1, "foo": 2])
  }

  /// Bug 2: two flushes of one logger (the caller's and the timer's) could commit out of
  /// order, so of two points with the same step the earlier one won in the latest values.
  @Test func flushesCommitInTheOrderTheyTookTheirPoints() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = SlowFirstAppendStore(try SQLiteStore(path: folder.path("track.db")))
    let run = try store.startRun(name: "order", experiment: nil, params: [:])
    try run.log("loss", value: 1, step: 5)
    let first = Thread { try? run.flush() }  // takes [1], then stalls inside the store
    first.start()
    Thread.sleep(forTimeInterval: 0.1)
    try run.log("loss", value: 2, step: 5)
    try run.flush()  // takes [2]; must not commit before [1]
    while !first.isFinished { Thread.sleep(forTimeInterval: 0.01) }
    try run.finish()
    #expect(try store.metricSeries(of: run.id, key: "loss").map(\.value) == [1, 2])
    #expect(try store.latestMetrics(of: run.id)["loss"] == 2)
  }

  /// Bug 3: a write waiting for another process's lock held the store's lock through its
  /// back-off, blocking every other thread of the process (reads included) for as long.
  @Test func aWriteWaitingForTheFileLockDoesNotBlockReads() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("track.db")
    let store = try SQLiteStore(path: path)
    let run = try store.startRun(name: "reader", experiment: nil, params: [:])
    try run.finish()
    let other = try SQLiteStore(path: path)  // stands for another process
    let holding = Thread {
      try? other.write { _ in Thread.sleep(forTimeInterval: 1.5) }
    }
    holding.start()
    Thread.sleep(forTimeInterval: 0.2)
    let writer = Thread { try? store.setTag(run: run.id, key: "k", value: "v") }
    writer.start()
    Thread.sleep(forTimeInterval: 0.2)
    let started = Date()
    #expect(try store.run(run.id).name == "reader")
    let waited = Date().timeIntervalSince(started)
    #expect(waited < 0.5, "a read waited \(waited) s behind a write waiting for the file lock")
    while !writer.isFinished || !holding.isFinished { Thread.sleep(forTimeInterval: 0.01) }
    #expect(try store.tags(of: run.id) == ["k": "v"])
  }

  /// Bug 4: a statement given fewer arguments than it has parameters bound NULL silently.
  @Test func aMissingArgumentIsAnError() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let error = expectTrackingError(.invalidValue) {
      try store.withDatabase { try $0.integer("SELECT ? + ?", [.integer(1)]) }
    }
    #expect(error?.message.contains("2 argument(s) but was given 1") == true)
    #expect(try store.withDatabase { try $0.integer("SELECT ? + ?", [.integer(1), .integer(2)]) } == 3)
  }

  /// Bug 5: migrations ran with foreign keys on, so one that rebuilds `runs` deleted every
  /// child row by cascade; and nothing checked the keys before commit.
  @Test func migrationsRunWithForeignKeysOffAndCheckThemBeforeCommit() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("track.db")
    do {
      let store = try SQLiteStore(path: path)
      let run = try store.startRun(name: "kept", experiment: nil, params: ["lr": .number(0.1)])
      try run.log("loss", value: 1, step: 1)
      try run.finish()
    }
    let rebuild = (
      name: "9998_rebuild_runs.sql",
      sql: """
        CREATE TABLE runs_copy AS SELECT * FROM runs;
        DELETE FROM runs;
        INSERT INTO runs SELECT * FROM runs_copy;
        DROP TABLE runs_copy;
        """
    )
    let database = try Database(path: path, readOnly: false, create: false)
    try database.executeScript("PRAGMA foreign_keys = ON")
    try Migrator(migrations: EmbeddedMigrations.all + [rebuild]).migrate(database)
    #expect(try database.integer("SELECT count(*) FROM params") == 1)
    #expect(try database.integer("PRAGMA foreign_keys") == 1)  // restored afterwards

    let dangling = (
      name: "9999_dangling.sql",
      sql: "INSERT INTO params (run_id, key, value) VALUES (999, 'orphan', 'x');"
    )
    let error = expectTrackingError(.storage) {
      try Migrator(migrations: EmbeddedMigrations.all + [rebuild, dangling]).migrate(database)
    }
    #expect(error?.message.contains("9999_dangling.sql") == true)
    #expect(try database.integer("PRAGMA user_version") == Int64(EmbeddedMigrations.all.count + 1))
    #expect(try database.integer("SELECT count(*) FROM params WHERE run_id = 999") == 0)
  }

  /// Bug 7: a matrix written through the documented schema by another client left the
  /// summaries NULL, and `check` said OK. Now `check` reports it and `repairSummaries` fixes it.
  @Test func matricesWithoutSummariesAreReportedAndRepaired() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "foreign", experiment: nil, params: [:])
    try run.finish()
    try store.write { database in
      for (i, j, value) in [(0, 1, 0.1), (0, 2, 0.1), (1, 1, 0.9), (1, 2, 0.2), (2, 1, 0.7),
        (2, 2, 0.8)]
      {
        try database.execute(
          "INSERT INTO matrix (run_id, metric, trained_through, task, value) VALUES (?, ?, ?, ?, ?)",
          [.integer(run.id), .text("accuracy"), .integer(Int64(i)), .integer(Int64(j)), .real(value)])
      }
    }
    let report = try store.check()
    #expect(report.problems.contains { $0.contains("run \(run.id)") && $0.contains("no summaries") })
    #expect(try store.repairSummaries() == 1)
    #expect(try store.check().isOK)
    #expect(try store.repairSummaries() == 0)
    let listed = try store.runs().first { $0.id == run.id }
    #expect(abs((listed?.summary["acc"] ?? 0) - 0.75) < 1e-12)
    #expect(abs((listed?.summary["bwt"] ?? 0) - -0.2) < 1e-12)
    // A summary another client left stale is reported and recomputed too.
    try store.write { try $0.execute("UPDATE matrix_summaries SET acc = 0.5") }
    #expect(try store.check().problems.contains { $0.contains("out of date") })
    #expect(try store.repairSummaries() == 1)
    #expect(try store.check().isOK)
  }

  /// Bug 8: a trailing comment was refused as a second statement; SQL that does not prepare
  /// is the user's typo (`.invalidQuery`, exit 2), not a database failure.
  @Test func queriesMayEndInACommentAndTyposAreInvalidQueries() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    #expect(try store.query("SELECT 1 AS x; -- note").rows == [[.integer(1)]])
    #expect(try store.query("SELECT 2 AS x /* why */ ;\n  -- and a last word\n").rows == [[.integer(2)]])
    expectTrackingError(.writeInQuery) { try store.query("SELECT 1; SELECT 2") }
    expectTrackingError(.writeInQuery) { try store.query("SELECT 1; -- fine\n DELETE FROM runs") }
    let typo = expectTrackingError(.invalidQuery) { try store.query("SELEC name FROM runs") }
    #expect(typo?.message.contains("syntax error") == true)
    expectTrackingError(.invalidQuery) { try store.query("SELECT nope FROM runs") }
  }
}

/// Issue 11: the store at scale (compact points, ids never reused, gc of metric names).
struct StoreScaleRegressionTests {
  /// Points took 57 B each (rowid, 8-byte wall time, a separate index), then 31.3 keyed by
  /// (run, key, step, seq) on the scale benchmark's store; keyed by series they take at most
  /// 30. The same shape as that store: ids past 9,000 runs and 36,000 series, four metrics
  /// alternating, an epoch and a task on every point, random values, 10 ms apart.
  @Test func metricPointsTakeAtMostThirtyBytesEach() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    try store.write { database in
      try database.execute("INSERT INTO settings (key, value) VALUES ('highest_run_id', '9000')")
      if try database.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'metric_series'") == 1 {
        try database.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('metric_series', 36000)")
      }
    }
    let keys = ["train_loss", "train_accuracy", "test_accuracy", "learning_rate"]
    var random = SeededRandom(seed: 11)
    let runs = 8
    let perRun = 2_000
    for index in 0..<runs {
      let run = try store.startRun(name: "dense-\(index)", experiment: nil, params: [:])
      let start = Date()
      var points: [MetricPoint] = []
      for point in 0..<perRun {
        let step = point >> 2
        let value = Double.random(in: 0..<1, using: &random)
        points.append(
          MetricPoint(
            key: keys[point & 3], value: value, step: step, epoch: 1 + step / 50,
            task: 1 + step / 50 % 5, wallTime: start.addingTimeInterval(Double(point) * 0.01)))
      }
      try run.log(batch: points)
      try run.finish()
    }
    // Every table and index that holds points, before migration 9 (metric_points) and after.
    let bytes = try store.query(
      """
      SELECT sum(pgsize) FROM dbstat WHERE name IN ('metric_points', 'metric_values',
        'metric_repeats', 'metric_series', 'sqlite_autoindex_metric_series_1')
      """
    ).rows[0][0].doubleValue ?? 0
    let perPoint = bytes / Double(runs * perRun)
    #expect(perPoint <= 30, "\(perPoint) B per point")
    #expect(try store.metricSeries(of: 9001, key: "train_loss").count == perRun / 4)
  }

  /// `check` counts every point it cannot place: those of a series whose run is gone, and
  /// those whose series row is gone, before, between and after the series it knows.
  @Test func checkCountsPointsThatBelongToNoSeries() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    var runs: [RunID] = []
    for name in ["first", "middle", "last", "kept"] {
      let run = try store.startRun(name: name, experiment: nil, params: [:])
      try run.log(batch: (0..<3).map { MetricPoint(key: "loss", value: Double($0), step: $0 / 2) })
      try run.finish()
      runs.append(run.id)
    }
    #expect(try store.check().isOK)
    try store.write { database in
      try database.execute(
        "DELETE FROM metric_series WHERE run_id IN (?, ?, ?)",
        [.integer(runs[0]), .integer(runs[1]), .integer(runs[2])])
      try database.execute("INSERT INTO metric_series (run_id, key_id) VALUES (?, 1)", [.integer(runs[2])])
      try database.execute("UPDATE metric_series SET run_id = 999 WHERE run_id = ?", [.integer(runs[3])])
    }
    // 4 series of 3 points (2 in metric_values, 1 repeat): none is where it belongs.
    #expect(
      try store.check().problems == ["metrics: 12 point(s) belong to no run or no metric name"])
  }

  /// Equal steps keep their logging order across flushes, and a client inserting through the
  /// documented `metrics` view (as before migration 5) still works.
  @Test func equalStepsKeepTheirOrderAndTheMetricsViewTakesInserts() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "ties", experiment: nil, params: [:])
    let started = Date()
    for value in [1.0, 2.0, 3.0] {
      try run.log("loss", value: value, step: 7)
      try run.flush()
    }
    try run.log("loss", value: 4, step: 6)
    try run.finish()
    let series = try store.metricSeries(of: run.id, key: "loss")
    #expect(series.map(\.value) == [4, 1, 2, 3])
    #expect(series.allSatisfy { abs($0.wallTime.timeIntervalSince(started)) < 5 })
    try store.write { database in
      try database.execute(
        "INSERT INTO metrics (run_id, key_id, step, epoch, task, value, wall_time) "
          + "SELECT ?, id, 7, NULL, NULL, 5, ? FROM metric_keys WHERE name = 'loss'",
        [.integer(run.id), .real(started.timeIntervalSince1970 + 1.5)])
    }
    let after = try store.metricSeries(of: run.id, key: "loss")
    #expect(after.map(\.value) == [4, 1, 2, 3, 5])
    #expect(abs(after[4].wallTime.timeIntervalSince1970 - (started.timeIntervalSince1970 + 1.5)) < 0.002)
    #expect(try store.query("SELECT count(*) FROM metrics").rows == [[.integer(5)]])
  }

  /// Migration 5 converts a file's points, keeping order, values and times (to the ms).
  @Test func migrationFiveConvertsExistingPoints() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("old.db")
    do {
      let database = try Database(path: path, readOnly: false, create: true)
      try database.executeScript("PRAGMA journal_mode = WAL")
      try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(4))).migrate(database)
      try database.executeScript(
        """
        INSERT INTO runs (uuid, name, status, created_at, heartbeat_at)
        VALUES ('0a1b2c3d-0000-0000-0000-000000000000', 'old-run', 'finished', 1e9, 1e9);
        INSERT INTO metric_keys (name) VALUES ('loss');
        INSERT INTO metrics (run_id, key_id, step, value, wall_time) VALUES
          (1, 1, 2, 0.5, 1000000002.25), (1, 1, 1, 0.9, 1000000001.0),
          (1, 1, 2, 0.4, 1000000003.5), (1, 1, 3, NULL, 1000000004.0);
        """)
    }
    let store = try SQLiteStore(path: path)
    let series = try store.metricSeries(of: 1, key: "loss")
    #expect(series.map(\.step) == [1, 2, 2, 3])
    #expect(series.map(\.value).prefix(3) == [0.9, 0.5, 0.4])
    #expect(series[3].value.isNaN)
    #expect(series.map(\.wallTime.timeIntervalSince1970) == [1000000001.0, 1000000002.25, 1000000003.5, 1000000004.0])
    #expect(try store.check().isOK)
  }

  /// Ids were reused after `rm` (the next runs got #9 and #10 again).
  @Test func runIDsAreNeverReused() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let first = try store.startRun(name: "a", experiment: nil, params: [:])
    let second = try store.startRun(name: "b", experiment: nil, params: [:])
    try first.finish()
    try second.finish()
    try store.deleteRun(second.id)
    let third = try store.startRun(name: "c", experiment: nil, params: [:])
    #expect(third.id == second.id + 1)
    try third.finish()
  }

  /// `gc` said it removes unused metric names, and left them.
  @Test func garbageCollectionRemovesUnusedMetricNames() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let kept = try store.startRun(name: "kept", experiment: nil, params: [:])
    try kept.log("loss", value: 1, step: 1)
    try kept.finish()
    let dropped = try store.startRun(name: "dropped", experiment: nil, params: [:])
    try dropped.log("only_here", value: 1, step: 1)
    try dropped.finish()
    try store.deleteRun(dropped.id)
    _ = try store.collectGarbage()
    #expect(try store.query("SELECT name FROM metric_keys").rows == [[.text("loss")]])
    let again = try store.startRun(name: "again", experiment: nil, params: [:])
    try again.log("only_here", value: 2, step: 1)
    try again.finish()
    #expect(try store.latestMetrics(of: again.id) == ["only_here": 2])
  }
}

/// A real SQLite store whose first `appendMetrics` stalls before writing: the window in which
/// a second flush could overtake the first.
final class SlowFirstAppendStore: TrackStore, @unchecked Sendable {
  // @unchecked: `stalled` is only read and written under `lock`.
  let base: SQLiteStore
  private let lock = NSLock()
  private var stalled = false

  init(_ base: SQLiteStore) { self.base = base }

  func appendMetrics(_ points: [MetricPoint], to run: RunID, heartbeat: Date?) throws {
    lock.lock()
    let first = !stalled && !points.isEmpty
    if first { stalled = true }
    lock.unlock()
    if first { Thread.sleep(forTimeInterval: 0.4) }
    try base.appendMetrics(points, to: run, heartbeat: heartbeat)
  }

  var location: String { base.location }
  var isReadOnly: Bool { base.isReadOnly }
  var schemaVersion: Int { base.schemaVersion }
  func run(_ id: RunID) throws -> Run { try base.run(id) }
  func resolveRun(_ reference: String) throws -> Run { try base.resolveRun(reference) }
  func runs(where filter: RunFilter?, sort: [RunSort], limit: Int?, offset: Int) throws
    -> [RunSummary]
  {
    try base.runs(where: filter, sort: sort, limit: limit, offset: offset)
  }
  func countRuns(where filter: RunFilter?) throws -> Int { try base.countRuns(where: filter) }
  func fieldNames() throws -> RunFieldNames { try base.fieldNames() }
  func params(of run: RunID) throws -> [Param] { try base.params(of: run) }
  func tags(of run: RunID) throws -> [String: String] { try base.tags(of: run) }
  func metricKeys(of run: RunID) throws -> [String] { try base.metricKeys(of: run) }
  func metricSeries(of run: RunID, key: String) throws -> [MetricPoint] {
    try base.metricSeries(of: run, key: key)
  }
  func latestMetrics(of run: RunID) throws -> [String: Double] { try base.latestMetrics(of: run) }
  func tasks(of run: RunID) throws -> [TaskRecord] { try base.tasks(of: run) }
  func matrixMetrics(of run: RunID) throws -> [String] { try base.matrixMetrics(of: run) }
  func matrix(of run: RunID, metric: String?) throws -> AccuracyMatrix {
    try base.matrix(of: run, metric: metric)
  }
  func checkpoints(of run: RunID) throws -> [CheckpointRecord] { try base.checkpoints(of: run) }
  func loadBlob(_ sha256: String) throws -> Data { try base.loadBlob(sha256) }
  func knowledgeBase(of run: RunID) throws -> [KnowledgeEntry] { try base.knowledgeBase(of: run) }
  func knowledgeBaseCount(of run: RunID) throws -> Int { try base.knowledgeBaseCount(of: run) }
  func knowledgeBaseCounts(of run: RunID) throws -> [Int: Int] { try base.knowledgeBaseCounts(of: run) }
  func query(_ sql: String) throws -> QueryResult { try base.query(sql) }
  func check(full: Bool) throws -> IntegrityReport { try base.check(full: full) }
  func createRun(_ request: RunRequest) throws -> Run { try base.createRun(request) }
  func setTag(run: RunID, key: String, value: String) throws {
    try base.setTag(run: run, key: key, value: value)
  }
  func logParam(run: RunID, key: String, value: ParamValue) throws {
    try base.logParam(run: run, key: key, value: value)
  }
  func endRun(_ run: RunID, status: RunStatus, lastPoints: [MetricPoint]) throws {
    try base.endRun(run, status: status, lastPoints: lastPoints)
  }
  func recordTasks(_ tasks: [TaskRecord], run: RunID) throws { try base.recordTasks(tasks, run: run) }
  func recordMatrixRow(run: RunID, trainedThrough: Int, scores: [Double], metric: String) throws {
    try base.recordMatrixRow(run: run, trainedThrough: trainedThrough, scores: scores, metric: metric)
  }
  func saveCheckpoint(run: RunID, task: Int, epoch: Int?, kind: String, data: Data) throws
    -> String
  {
    try base.saveCheckpoint(run: run, task: task, epoch: epoch, kind: kind, data: data)
  }
  func addKnowledge(_ entries: [KnowledgeEntry], to run: RunID) throws -> [Int64] {
    try base.addKnowledge(entries, to: run)
  }
  func removeKnowledge(ids: [Int64], from run: RunID) throws {
    try base.removeKnowledge(ids: ids, from: run)
  }
  func deleteRun(_ id: RunID) throws { try base.deleteRun(id) }
  func deleteCheckpoints(of run: RunID, before task: Int) throws {
    try base.deleteCheckpoints(of: run, before: task)
  }
  func collectGarbage() throws -> GarbageReport { try base.collectGarbage() }
  func repairSummaries() throws -> Int { try base.repairSummaries() }
  func transaction<T>(_ body: () throws -> T) throws -> T { try base.transaction(body) }
  func staleHeartbeat() throws -> TimeInterval { try base.staleHeartbeat() }
  func setStaleHeartbeat(_ seconds: TimeInterval) throws { try base.setStaleHeartbeat(seconds) }
  func run(uuid: String) throws -> Run? { try base.run(uuid: uuid) }
  func latestMetricPoints(of run: RunID) throws -> [MetricPoint] {
    try base.latestMetricPoints(of: run)
  }
  func experiments(includeDeleted: Bool) throws -> [Experiment] {
    try base.experiments(includeDeleted: includeDeleted)
  }
  func experiment(id: Int64) throws -> Experiment { try base.experiment(id: id) }
  func experiment(named name: String) throws -> Experiment? { try base.experiment(named: name) }
  func artifacts(of run: RunID, prefix: String?) throws -> [ArtifactRecord] {
    try base.artifacts(of: run, prefix: prefix)
  }
  func artifact(of run: RunID, path: String) throws -> ArtifactRecord {
    try base.artifact(of: run, path: path)
  }
  func deleteTag(run: RunID, key: String) throws { try base.deleteTag(run: run, key: key) }
  func loggedModel(id: String) throws -> LoggedModelRecord? { try base.loggedModel(id: id) }
  func loggedModels(experiments: [Int64]) throws -> [LoggedModelRecord] {
    try base.loggedModels(experiments: experiments)
  }
  func saveLoggedModel(_ model: LoggedModelRecord) throws { try base.saveLoggedModel(model) }
  func deleteLoggedModel(id: String) throws { try base.deleteLoggedModel(id: id) }
  func updateRun(_ run: RunID, _ update: RunUpdate) throws { try base.updateRun(run, update) }
  func createExperiment(name: String, tags: [String: String]) throws -> Experiment {
    try base.createExperiment(name: name, tags: tags)
  }
  func updateExperiment(id: Int64, name: String?, deleted: Bool?) throws {
    try base.updateExperiment(id: id, name: name, deleted: deleted)
  }
  func setExperimentTag(experiment: Int64, key: String, value: String) throws {
    try base.setExperimentTag(experiment: experiment, key: key, value: value)
  }
  func saveArtifact(run: RunID, path: String, data: Data) throws -> ArtifactRecord {
    try base.saveArtifact(run: run, path: path, data: data)
  }
}
