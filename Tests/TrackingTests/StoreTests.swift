import Foundation
import Testing

@testable import Tracking
@testable import TrackingSQLite

/// The store on a real WAL file: runs, params, tags, metrics, matrix, blobs, knowledge.
struct StoreTests {
  @Test func createsAWALStoreAndRecordsARun() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    #expect(
      try store.withDatabase { try $0.statement("PRAGMA journal_mode").first { $0.string(0) } }
        == "wal")
    let run = try store.startRun(
      name: "baseline", experiment: "mnist",
      params: ["optimizer.lr": .number(0.01), "model": .text("mlp")], command: "track run x")
    try run.log("loss", value: 2.5, step: 0, epoch: 0)
    try run.log("loss", value: 1.5, step: 1, epoch: 0, task: 1)
    try run.setTag("owner", "ada")
    try run.finish()

    let stored = try store.run(run.id)
    #expect(stored.name == "baseline")
    #expect(stored.experiment == "mnist")
    #expect(stored.status == .finished)
    #expect(stored.command == "track run x")
    #expect(stored.pid == Int(ProcessInfo.processInfo.processIdentifier))
    #expect(stored.endedAt != nil)
    #expect(stored.uuid == run.uuid)
    // The tests run inside the git work tree of the project.
    #expect(stored.gitCommit?.count == 40)
    #expect(
      try store.params(of: run.id) == [
        Param(key: "model", value: .text("mlp")), Param(key: "optimizer.lr", value: .number(0.01)),
      ])
    #expect(try store.tags(of: run.id) == ["owner": "ada"])
    let series = try store.metricSeries(of: run.id, key: "loss")
    #expect(series.map(\.value) == [2.5, 1.5])
    #expect(series.map(\.task) == [nil, 1])
    #expect(try store.latestMetrics(of: run.id) == ["loss": 1.5])
    #expect(try store.metricKeys(of: run.id) == ["loss"])
  }

  @Test func unnamedRunsGetTheirIdAsName() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: nil, experiment: nil, params: [:])
    #expect(try store.run(run.id).name == "run-\(run.id)")
    try run.finish()
  }

  @Test func nanAndInfinityRoundTrip() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "odd", experiment: nil, params: [:])
    let values = [Double.nan, .infinity, -.infinity, 0.1, -3, Double.greatestFiniteMagnitude]
    try run.log(batch: values.enumerated().map { MetricPoint(key: "x", value: $1, step: $0) })
    try run.recordMatrixRow(trainedThrough: 0, scores: [.nan, .infinity], metric: "accuracy")
    try run.finish()
    let back = try store.metricSeries(of: run.id, key: "x").map(\.value)
    #expect(back.count == values.count)
    #expect(back[0].isNaN)
    #expect(back[1] == .infinity)
    #expect(back[2] == -.infinity)
    #expect(Array(back[3...]) == Array(values[3...]))
    #expect(try store.latestMetrics(of: run.id)["x"] == .greatestFiniteMagnitude)
    let matrix = try store.matrix(of: run.id)
    #expect(matrix.value(trainedThrough: 0, task: 1)!.isNaN)
    #expect(matrix.value(trainedThrough: 0, task: 2) == .infinity)
  }

  @Test func latestMetricIsTheHighestStep() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "order", experiment: nil, params: [:])
    try run.log("acc", value: 0.5, step: 10)
    try run.flush()
    try run.log("acc", value: 0.1, step: 3)  // a late point with a lower step
    try run.log("acc", value: 0.7, step: 10)  // same step later: the later value wins
    try run.finish()
    #expect(try store.latestMetrics(of: run.id) == ["acc": 0.7])
    #expect(try store.metricSeries(of: run.id, key: "acc").map(\.step) == [3, 10, 10])
  }

  @Test func loggingFlushesOnSizeAndInterval() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let reader = try SQLiteStore(path: folder.path("track.db"), readOnly: true)
    let run = try store.startRun(name: "buffered", experiment: nil, params: [:])
    func stored() throws -> Int64 {
      if case .integer(let n) = try reader.query("SELECT count(*) FROM metrics").rows[0][0] {
        return n
      }
      return -1
    }
    try run.log("loss", value: 1, step: 0)
    #expect(try stored() == 0)  // buffered
    try run.log(
      batch: (1..<RunLogger.flushSize).map { MetricPoint(key: "loss", value: 1, step: $0) })
    #expect(try stored() == Int64(RunLogger.flushSize))  // size flush
    try run.log("loss", value: 1, step: -1)
    let deadline = Date().addingTimeInterval(RunLogger.flushInterval * 5)
    while try stored() == Int64(RunLogger.flushSize), Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    #expect(try stored() == Int64(RunLogger.flushSize) + 1)  // interval flush
    try run.finish()
  }

  @Test func paramsAreImmutable() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("track.db")
    let store = try SQLiteStore(path: path)
    let run = try store.startRun(name: "p", experiment: nil, params: ["lr": .number(0.01)])
    try run.logParam("lr", .number(0.01))  // same value: fine
    try run.logParam("epochs", ParamValue(parsing: "5"))
    let error = expectTrackingError(.paramConflict) { try run.logParam("lr", .number(0.1)) }
    #expect(error?.message.contains("'lr'") == true)
    #expect(error?.message.contains("0.01") == true)
    expectTrackingError(.paramConflict) { try run.logParam("epochs", .text("five")) }
    expectTrackingError(.storage) {
      try store.withDatabase { try $0.execute("UPDATE params SET value = 'x'") }
    }
    try run.finish()
    #expect(try store.params(of: run.id).map(\.value) == [.number(5), .number(0.01)])
  }

  @Test func invalidNamesAreRejected() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    for name in [
      "", " padded", "12", "latest", "latest~1", "tab\there",
      String(repeating: "x", count: 300),
    ] {
      expectTrackingError(.invalidName) {
        try store.startRun(name: name, experiment: nil, params: [:])
      }
    }
    expectTrackingError(.invalidName) {
      try store.startRun(name: "ok", experiment: "", params: [:])
    }
    expectTrackingError(.invalidName) {
      try store.startRun(name: "ok", experiment: nil, params: ["": .number(1)])
    }
    #expect(try store.runs().isEmpty)  // nothing half-written
    let run = try store.startRun(name: "ok", experiment: nil, params: [:])
    expectTrackingError(.invalidName) { try run.log("", value: 1, step: 0) }
    expectTrackingError(.invalidName) { try run.setTag(" ", "x") }
    expectTrackingError(.invalidName) { try run.logParam("bad\nkey", .number(1)) }
    try run.finish()
    #expect(try store.metricKeys(of: run.id).isEmpty)
  }

  @Test func finishedRunsRejectWrites() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "done", experiment: nil, params: [:])
    try run.finish(.failed)
    try run.finish()  // idempotent, keeps the first status
    #expect(try store.run(run.id).status == .failed)
    expectTrackingError(.runNotActive) { try run.log("x", value: 1, step: 0) }
    expectTrackingError(.runNotActive) { try run.logParam("x", .number(1)) }
  }

  @Test func staleHeartbeatReadsAsCrashed() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let live = try store.startRun(name: "live", experiment: nil, params: [:])
    let dead = try store.startRun(name: "dead", experiment: nil, params: [:])
    let old = Date().timeIntervalSince1970 - RunLogger.staleHeartbeat - 5
    try store.write {
      try $0.execute(
        "UPDATE runs SET heartbeat_at = ? WHERE id = ?", [.real(old), .integer(dead.id)])
    }
    #expect(try store.run(live.id).status == .running)
    #expect(try store.run(dead.id).status == .crashed)
    let statuses = Dictionary(
      uniqueKeysWithValues: try store.runs().map { ($0.name, $0.status) })
    #expect(statuses == ["live": .running, "dead": .crashed])
    #expect(try store.runs(where: RunFilter.parse("status = crashed")).map(\.name) == ["dead"])
    #expect(
      try store.query("SELECT status FROM run_overview WHERE name = 'dead'").rows
        == [[.text("crashed")]])
    try live.finish()
  }

  @Test func heartbeatAdvancesWhileIdle() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "idle", experiment: nil, params: [:])
    let first = try store.run(run.id).heartbeatAt!
    let deadline = Date().addingTimeInterval(RunLogger.heartbeatInterval * 3)
    while try store.run(run.id).heartbeatAt! == first, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.2)
    }
    #expect(try store.run(run.id).heartbeatAt! > first)
    try run.finish()
  }

  @Test func matrixRowsStoreSummaries() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "cl", experiment: nil, params: [:])
    try run.recordTasks([
      TaskRecord(index: 1, name: "0-1", trainSize: 100, testSize: 20, classes: [0, 1]),
      TaskRecord(index: 2, name: "2-3", trainSize: 90, testSize: 10, classes: [2, 3]),
    ])
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.5, 0.1], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.3], metric: "accuracy")
    // Incomplete (no row 2 yet): FWT only needs rows 0...T−1; the others need row T.
    #expect(try store.runs()[0].summary.keys.sorted() == ["fwt"])
    try run.recordMatrixRow(trainedThrough: 2, scores: [0.4, 0.8], metric: "accuracy")
    expectTrackingError(.invalidValue) {
      try run.recordMatrixRow(trainedThrough: 3, scores: [0.1], metric: "accuracy")
    }
    try run.log("loss", value: 0.2, step: 1)
    try run.finish()
    #expect(try store.tasks(of: run.id).map(\.classes) == [[0, 1], [2, 3]])
    let summary = try store.runs()[0].summary
    #expect(abs(summary["acc"]! - 0.6) < 1e-12)
    #expect(abs(summary["bwt"]! + 0.5) < 1e-12)
    #expect(abs(summary["fwt"]! - 0.2) < 1e-12)
    #expect(abs(summary["forgetting"]! - 0.5) < 1e-12)
    #expect(summary["loss"] == nil)  // with a matrix, the summary is the matrix's
    let row = try store.query("SELECT acc, bwt, fwt, forgetting FROM run_overview").rows[0]
    #expect(
      row.map { $0.doubleValue! } == [
        summary["acc"]!, summary["bwt"]!, summary["fwt"]!,
        summary["forgetting"]!,
      ])
    #expect(try store.query("SELECT count(*) FROM matrix_long").rows == [[.integer(6)]])
    #expect(try store.check().isOK)
  }

  @Test func checkpointsAreContentAddressedAndVerified() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("track.db")
    let store = try SQLiteStore(path: path)
    let run = try store.startRun(name: "ckpt", experiment: nil, params: [:])
    let weights = Data((0..<10_000).map { UInt8($0 % 251) })
    let sha = try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: weights)
    let again = try run.saveCheckpoint(task: 2, epoch: 3, kind: "weights", data: weights)
    try run.finish()
    #expect(sha == again)
    #expect(sha.count == 64)
    #expect(try store.query("SELECT count(*) FROM blobs").rows == [[.integer(1)]])
    #expect(try store.checkpoints(of: run.id).map(\.task) == [1, 2])
    #expect(try store.latestCheckpoint(of: run.id, kind: "weights")?.epoch == 3)
    #expect(try store.loadBlob(sha) == weights)

    // Damage the blob: reading it is an error, never silently wrong weights.
    try store.write {
      try $0.execute(
        "UPDATE blobs SET data = zeroblob(10000) WHERE sha256 = ?", [.text(sha)])
    }
    let error = expectTrackingError(.blobCorrupt) { try store.loadBlob(sha) }
    #expect(error?.message.contains(sha) == true)
    #expect(try store.check().problems.contains { $0.contains(sha) })
    expectTrackingError(.blobNotFound) { try store.loadBlob(String(repeating: "0", count: 64)) }
  }

  /// `--from` is the application's rule (Experiments' ResumeLoader): the store copies
  /// nothing when a run continues another, and keeps the provenance it is given.
  @Test func continuingCopiesNothingAndKnowledgeKeepsItsProvenance() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let first = try store.startRun(name: "first", experiment: nil, params: [:])
    let samples = (0..<5).map {
      KnowledgeEntry(features: Data([UInt8($0), 1, 2]), target: Double($0), task: 1)
    }
    let ids = try first.addKnowledge(samples)
    try first.removeKnowledge(ids: [ids[0]])
    try first.finish()
    let earlier = try store.knowledgeBase(of: first.id)
    #expect(earlier.map(\.target) == [1, 2, 3, 4])
    #expect(earlier.allSatisfy { $0.sourceRun == first.id })

    let second = try store.startRun(
      name: "second", experiment: nil, params: [:], continuing: first.id)
    #expect(try store.run(second.id).continuedFrom == first.id)
    #expect(try store.knowledgeBaseCount(of: second.id) == 0)
    var carried = earlier[1]
    carried.id = nil
    try second.addKnowledge([carried, KnowledgeEntry(features: Data([9]), target: 9, task: 2)])
    try second.finish()
    let kept = try store.knowledgeBase(of: second.id)
    #expect(kept.map(\.sourceRun) == [first.id, second.id])
    #expect(kept[0].addedAt == earlier[1].addedAt)
    #expect(kept[0].features == earlier[1].features)
    #expect(try store.knowledgeBaseCount(of: first.id) == 4)  // the source is untouched
    expectTrackingError(.runNotFound) {
      try store.startRun(name: "x", experiment: nil, params: [:], continuing: 999)
    }
  }

  @Test func deleteAndGarbageCollect() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let keep = try store.startRun(name: "keep", experiment: nil, params: ["a": .number(1)])
    try keep.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([1, 2, 3]))
    try keep.finish()
    let drop = try store.startRun(name: "drop", experiment: nil, params: ["a": .number(2)])
    try drop.log("loss", value: 1, step: 1)
    try drop.setTag("t", "v")
    try drop.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    try drop.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data(count: 50_000))
    try drop.addKnowledge([KnowledgeEntry(features: Data([7, 7]), target: 1, task: 1)])
    try drop.finish()
    let continued = try store.startRun(
      name: "continued", experiment: nil, params: [:], continuing: drop.id)
    try continued.addKnowledge(
      [KnowledgeEntry(features: Data([7, 7]), target: 1, task: 1, sourceRun: drop.id)])
    try continued.finish()

    try store.deleteRun(drop.id)
    expectTrackingError(.runNotFound) { try store.run(drop.id) }
    expectTrackingError(.runNotFound) { try store.deleteRun(drop.id) }
    for table in ["params", "tags", "metrics", "metric_latest", "matrix", "checkpoints"] {
      #expect(
        try store.query("SELECT count(*) FROM \(table) WHERE run_id = \(drop.id)").rows
          == [[.integer(0)]], "\(table)")
    }
    #expect(try store.run(continued.id).continuedFrom == nil)
    #expect(try store.knowledgeBaseCount(of: continued.id) == 1)  // its own copy survives
    let report = try store.collectGarbage()
    #expect(report.blobsRemoved == 1)  // the 50 kB checkpoint; the copied features stay
    #expect(report.bytesRemoved == 50_000)
    #expect(try store.loadBlob(try store.checkpoints(of: keep.id)[0].sha256) == Data([1, 2, 3]))
    #expect(try store.knowledgeBase(of: continued.id)[0].features == Data([7, 7]))
    #expect(try store.check().isOK)
    // A point written behind track's back for a run that does not exist is reported.
    try store.write {
      try $0.execute("INSERT INTO metrics VALUES (999, 1, 0, NULL, NULL, 1.0, 0)")
    }
    #expect(try store.check().problems.contains { $0.contains("belong to no run") })
  }

  @Test func queryIsReadOnly() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "q", experiment: nil, params: [:])
    try run.finish()
    let result = try store.query("SELECT id, name FROM runs")
    #expect(result.columns == ["id", "name"])
    #expect(result.rows == [[.integer(run.id), .text("q")]])
    for sql in [
      "DELETE FROM runs", "UPDATE runs SET name = 'x'", "DROP TABLE runs",
      "INSERT INTO tags VALUES (1, 'a', 'b')", "PRAGMA user_version = 99",
    ] {
      expectTrackingError(.writeInQuery) { try store.query(sql) }
    }
    expectTrackingError(.writeInQuery) { try store.query("SELECT 1; DELETE FROM runs") }
    expectTrackingError(.invalidQuery) { try store.query("SELEC nonsense") }
    #expect(try store.run(run.id).name == "q")
    #expect(store.schemaVersion == Migrator().latestVersion)
  }
}

/// SQLite failures carry the result code, the SQL and the arguments.
struct DatabaseErrorTests {
  @Test func sqliteErrorsCarryCodeSQLAndArguments() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let error = expectTrackingError(.storage) {
      try store.write { try $0.execute("INSERT INTO experiments (name) VALUES (?)", [.text("x")]) }
    }
    // SQLITE_CONSTRAINT_NOTNULL (1299): created_at is missing.
    #expect(error?.detail?.hasPrefix("SQLite error 1299") == true)
    #expect(error?.detail?.contains("in `INSERT INTO experiments (name) VALUES (?)`") == true)
    #expect(error?.description.contains("NOT NULL constraint failed") == true)
    #expect(error?.description.contains("with arguments [x]") == true)
    // The failed transaction was rolled back and the store still works.
    #expect(try store.query("SELECT count(*) FROM experiments").rows == [[.integer(0)]])
    let run = try store.startRun(name: "after", experiment: "e", params: [:])
    try run.finish()
  }

  @Test func twoConnectionsInOneProcessDoNotSeeLocked() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("track.db")
    let stores = [try SQLiteStore(path: path), try SQLiteStore(path: path)]
    let group = DispatchGroup()
    final class Failures: @unchecked Sendable {
      let lock = NSLock()
      var messages: [String] = []
      func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
      }
    }
    let failures = Failures()
    for (index, store) in stores.enumerated() {
      group.enter()
      DispatchQueue.global().async {
        defer { group.leave() }
        do {
          let run = try store.startRun(name: "thread-\(index)", experiment: nil, params: [:])
          for step in 0..<3_000 {
            try run.log("x", value: Double(step), step: step)
            if step % 50 == 0 { try run.flush() }
          }
          try run.finish()
        } catch {
          failures.add("\(error)")
        }
      }
    }
    group.wait()
    #expect(failures.messages.isEmpty, "\(failures.messages)")
    #expect(try stores[0].query("SELECT count(*) FROM metrics").rows == [[.integer(6_000)]])
  }
}
