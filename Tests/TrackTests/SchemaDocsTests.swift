import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// docs/schema.md documents every table and view, and its examples run as written on a store
/// made by real `track run`s (the metric names the learner logs, names that repeat).
@Suite(.serialized) struct SchemaDocsTests {
  let document: String

  init() throws {
    document = try String(
      contentsOf: SourceTree.root.appendingPathComponent("docs/schema.md"), encoding: .utf8)
  }

  /// The fenced blocks of a language (```sql, ```python).
  func blocks(_ language: String) -> [String] {
    var result: [String] = []
    var current: [Substring]?
    for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
      if current == nil, line == "```\(language)" {
        current = []
      } else if current != nil, line == "```" {
        result.append(current!.joined(separator: "\n"))
        current = nil
      } else {
        current?.append(line)
      }
    }
    return result
  }

  /// A store like a user's, written by the `track` binary: the smoke spec run twice with
  /// replay (two runs of one name), once more with naive at another learning rate (the same
  /// name again), and a run killed with SIGKILL whose heartbeat has gone stale.
  func makeStore(_ track: TrackBinary) throws {
    let smoke = ["run", "Examples/synthetic-smoke.yaml", "--plain"]
    for overrides in [
      [], [], ["--set", "strategy.type=naive", "--set", "optimizer.lr=0.05"],
    ] {
      let result = try track.run(smoke + overrides)
      try #require(result.status == 0, "\(result.stderr)")
    }
    try killRunMidway(track)
  }

  /// Starts a long run named `lost`, kills it once it has logged a point, and ages its
  /// heartbeat past the stale limit (as an hour without the writer would).
  func killRunMidway(_ track: TrackBinary) throws {
    let output = track.directory.url.appendingPathComponent("lost.out")
    let process = try CommandRunner.start(
      CommandRunner.product("track"),
      ["run", "Examples/synthetic-smoke.yaml", "--plain", "--name", "lost",
       "--set", "training.epochs=1000", "--db", track.database],
      directory: TrackBinary.repository, stdout: output, stderr: output)
    let store = try SQLiteStore(path: track.database)
    let deadline = Date().addingTimeInterval(120)
    var lost: RunID?
    while lost == nil, Date() < deadline, process.isRunning {
      Thread.sleep(forTimeInterval: 0.1)
      lost = try store.query(
        """
        SELECT r.id FROM runs r JOIN metric_latest l ON l.run_id = r.id
        WHERE r.name = 'lost' LIMIT 1
        """
      ).rows.first.flatMap { row -> RunID? in
        if case .integer(let id) = row[0] { return id }
        return nil
      }
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let id = try #require(lost, "the run to kill logged nothing in 120 s")
    try store.appendMetrics([], to: id, heartbeat: Date().addingTimeInterval(-3600))
  }

  @Test func everyTableAndViewIsDocumented() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try SQLiteStore(path: folder.path("track.db"))
    let names = try store.query(
      "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
    ).rows.map { $0[0].description }
    #expect(names.count >= 18)
    for name in names {
      #expect(document.contains("\n### \(name)\n"), "docs/schema.md has no section for \(name)")
    }
  }

  /// Every ```sql and ```python block returns rows on a store of real runs; one store is
  /// built for both (each `track run` takes seconds).
  @Test func examplesRunOnAStoreOfRealRuns() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    try makeStore(track)
    try sqliteShellExamplesRun(in: track.directory.url)
    try pythonExamplesRun(in: track.directory.url)
  }

  func sqliteShellExamplesRun(in folder: URL) throws {
    guard let sqlite3 = CommandRunner.executable(named: "sqlite3") else {
      Issue.record("The sqlite3 shell is missing: install it (apt-get install sqlite3).")
      return
    }
    let examples = blocks("sql")
    #expect(examples.count >= 5)
    for example in examples {
      // Each statement of a block must return rows, not only the block as a whole.
      for statement in example.split(separator: ";").map(String.init)
      where statement.contains("SELECT") {
        let result = try CommandRunner.run(
          sqlite3, ["-bail", "-readonly", "track.db"], directory: folder, input: statement + ";")
        #expect(result.status == 0 && result.stderr.isEmpty, "\(statement)\n\(result.stderr)")
        #expect(!result.stdout.isEmpty, "no rows from:\n\(statement)")
      }
    }
    // The status people read in the shell is the effective one: the killed run is crashed.
    let lost = try CommandRunner.run(
      sqlite3, ["-readonly", "track.db"], directory: folder,
      input: "SELECT status FROM run_overview WHERE name = 'lost';")
    #expect(lost.stdout == "crashed\n")
  }

  func pythonExamplesRun(in folder: URL) throws {
    let python =
      ProcessInfo.processInfo.environment["TRACK_PYTHON"].map(URL.init(fileURLWithPath:))
      ?? CommandRunner.executable(named: "python3")
    guard let python else {
      Issue.record(
        "python3 is missing: install python3 and pandas (python3 -m pip install pandas).")
      return
    }
    let probe = try CommandRunner.run(python, ["-c", "import pandas"])
    guard probe.status == 0 else {
      let message =
        "pandas is missing for \(python.path): install it with `python3 -m pip install pandas` "
        + "(or point TRACK_PYTHON at a Python that has it). \(probe.stderr)"
      Issue.record(Comment(rawValue: message))
      return
    }
    let examples = blocks("python")
    #expect(examples.count >= 3)
    for example in examples {
      // A frame with no rows prints "Empty DataFrame": output alone would not catch it.
      let result = try CommandRunner.run(python, ["-"], directory: folder, input: example)
      #expect(result.status == 0, "\(example)\n\(result.stderr)")
      #expect(!result.stdout.isEmpty, "no output from:\n\(example)")
      #expect(!result.stdout.contains("Empty DataFrame"), "no rows from:\n\(example)")
      #expect(!result.stdout.contains("ACC = nan"), "no matrix from:\n\(example)")
    }
  }
}
