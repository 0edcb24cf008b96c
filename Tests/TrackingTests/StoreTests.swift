import Foundation
import TestSupport
import Testing

@testable import Tracking
@testable import TrackingSQLite

/// What only the SQLite backend has: the WAL file, its triggers and views, raw rows behind the
/// store's back, and its query dialect. The backend-neutral contract (runs, params, metrics,
/// matrix, blobs, knowledge) is Tests/StoreConformanceTests, run against every backend.
struct StoreTests {
  @Test func storesAreWALFiles() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    #expect(
      try store.withDatabase { try $0.statement("PRAGMA journal_mode").first { $0.string(0) } }
        == "wal")
    let run = try store.startRun(name: "baseline", experiment: nil, params: [:])
    try run.finish()
    #expect(store.location == folder.path("track.db"))
    #expect(try SQLiteStore(path: folder.path("track.db"), readOnly: true).run(run.id).name
      == "baseline")
  }

  /// A run records the commit of the work tree it was started in. The writer runs in a git
  /// repository this test makes, so the test passes in an exported tree (`git archive`) too.
  @Test func startRunRecordsTheCommitOfTheWorkingDirectory() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let repository = folder.url.appendingPathComponent("work")
    try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
    let commit = try makeGitRepository(at: repository)
    let path = folder.path("track.db")
    let writer = try CommandRunner.run(
      CommandRunner.product("tracking-stress"), [path, "0", "10"], directory: repository)
    #expect(writer.status == 0, "\(writer.stderr)")
    let store = try SQLiteStore(path: path, readOnly: true)
    #expect(try store.resolveRun("stress-0").gitCommit == commit)
  }

  /// A git repository with one empty commit at `directory`; returns the commit's hash. Made by
  /// `git` when it runs here, else written by hand in the layout `git` uses for a loose ref.
  private func makeGitRepository(at directory: URL) throws -> String {
    if let git = CommandRunner.executable(named: "git") {
      let identity = ["-c", "user.name=track", "-c", "user.email=track@example.invalid"]
      let steps = [
        ["init", "-q"], identity + ["commit", "-q", "--allow-empty", "-m", "fixture"],
        ["rev-parse", "HEAD"],
      ]
      var last: CommandResult?
      for step in steps {
        let result = try CommandRunner.run(git, step, directory: directory)
        guard result.status == 0 else { last = nil; break }
        last = result
      }
      if let hash = last?.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
        hash.count == 40
      {
        return hash
      }
    }
    let hash = "0123456789abcdef0123456789abcdef01234567"
    let heads = directory.appendingPathComponent(".git/refs/heads")
    try FileManager.default.createDirectory(at: heads, withIntermediateDirectories: true)
    try Data("ref: refs/heads/main\n".utf8)
      .write(to: directory.appendingPathComponent(".git/HEAD"))
    try Data("\(hash)\n".utf8).write(to: heads.appendingPathComponent("main"))
    return hash
  }

  @Test func theFileRefusesToChangeAParam() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "p", experiment: nil, params: ["lr": .number(0.01)])
    try run.finish()
    expectTrackingError(.storage) {
      try store.withDatabase { try $0.execute("UPDATE params SET value = 'x'") }
    }
    #expect(try store.params(of: run.id).map(\.value) == [.number(0.01)])
  }

  @Test func theViewsReadAStaleRunAsCrashed() throws {
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
    #expect(try store.run(dead.id).status == .crashed)
    #expect(
      try store.query("SELECT name, status FROM run_overview ORDER BY id").rows
        == [[.text("live"), .text("running")], [.text("dead"), .text("crashed")]])
    try live.finish()
  }

  @Test func theViewsShowTheStoredSummaries() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "cl", experiment: nil, params: [:])
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.5, 0.1], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.3], metric: "accuracy")
    try run.recordMatrixRow(trainedThrough: 2, scores: [0.4, 0.8], metric: "accuracy")
    try run.finish()
    let summary = try store.runs()[0].summary
    let row = try store.query("SELECT acc, bwt, fwt, forgetting FROM run_overview").rows[0]
    #expect(
      row.map { $0.doubleValue! } == [
        summary["acc"]!, summary["bwt"]!, summary["fwt"]!, summary["forgetting"]!,
      ])
    #expect(try store.query("SELECT count(*) FROM matrix_long").rows == [[.integer(6)]])
  }

  @Test func aDamagedBlobIsAnErrorNeverWrongBytes() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let run = try store.startRun(name: "ckpt", experiment: nil, params: [:])
    let weights = Data((0..<10_000).map { UInt8($0 % 251) })
    let sha = try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: weights)
    try run.saveCheckpoint(task: 2, epoch: 3, kind: "weights", data: weights)
    try run.finish()
    #expect(try store.query("SELECT count(*) FROM blobs").rows == [[.integer(1)]])
    try store.write {
      try $0.execute(
        "UPDATE blobs SET data = zeroblob(10000) WHERE sha256 = ?", [.text(sha)])
    }
    let error = expectTrackingError(.blobCorrupt) { try store.loadBlob(sha) }
    #expect(error?.message.contains(sha) == true)
    #expect(try store.check().problems.contains { $0.contains(sha) })
  }

  @Test func deletingARunDeletesItsRows() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let drop = try store.startRun(name: "drop", experiment: nil, params: ["a": .number(2)])
    try drop.log("loss", value: 1, step: 1)
    try drop.setTag("t", "v")
    try drop.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    try drop.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data(count: 50_000))
    try drop.addKnowledge([KnowledgeEntry(features: Data([7, 7]), target: 1, task: 1)])
    try drop.finish()
    try store.deleteRun(drop.id)
    for table in [
      "params", "tags", "metrics", "metric_latest", "matrix", "checkpoints", "knowledge",
    ] {
      #expect(
        try store.query("SELECT count(*) FROM \(table) WHERE run_id = \(drop.id)").rows
          == [[.integer(0)]], "\(table)")
    }
    #expect(try store.check().isOK)
    // A point written behind track's back for a run that does not exist is reported.
    try store.write {
      try $0.execute("INSERT INTO metrics VALUES (999, 1, 0, NULL, NULL, 1.0, 0)")
    }
    #expect(try store.check().problems.contains { $0.contains("belong to no run") })
  }

  /// Digits are an id when a run has that id, else a UUID prefix (UUIDs may start with digits).
  @Test func digitsAreAnIdFirstThenAUUIDPrefix() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    for name in ["alpha", "beta", "gamma"] {
      try store.startRun(name: name, experiment: nil, params: [:]).finish()
    }
    let gamma = try store.resolveRun("gamma")
    try store.write {
      try $0.execute(
        "UPDATE runs SET uuid = ? WHERE name = 'alpha'",
        [.text("\(gamma.id)4088312-0000-4000-8000-000000000000")])
    }
    #expect(try store.resolveRun("\(gamma.id)40883").name == "alpha")
    #expect(try store.resolveRun(String(gamma.id)).name == "gamma")  // an id still wins
    expectTrackingError(.runNotFound) { try store.resolveRun("\(gamma.id)408839") }
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
