import Foundation
import Testing
import TestSupport

@testable import Tracking
@testable import TrackingSQLite

/// docs/schema.md documents every table and view, and its examples run as written.
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

  /// A store like a user's: continual-learning runs with matrices, a plain run, a crash.
  func makeFixture(in folder: TemporaryFolder) throws -> String {
    let path = folder.path("track.db")
    let store = try SQLiteStore(path: path)
    for (name, lr, strategy, rows) in [
      (
        "replay", 0.01, "replay",
        [
          [0.1, 0.1, 0.1], [0.95, 0.2, 0.1], [0.9, 0.93, 0.15],
          [0.85, 0.9, 0.94],
        ]
      ),
      (
        "naive", 0.1, "naive",
        [
          [0.1, 0.1, 0.1], [0.96, 0.1, 0.1], [0.3, 0.95, 0.1],
          [0.2, 0.4, 0.97],
        ]
      ),
    ] {
      let run = try store.startRun(
        name: name, experiment: "split-mnist",
        params: ["optimizer.lr": .number(lr), "strategy.type": .text(strategy)])
      try run.recordTasks(
        (1...3).map {
          TaskRecord(
            index: $0, name: "classes \(2 * $0 - 2)-\(2 * $0 - 1)", trainSize: 1000,
            testSize: 200, classes: [2 * $0 - 2, 2 * $0 - 1])
        })
      for step in 0..<50 {
        try run.log(
          "train/loss", value: step == 7 ? .nan : 1 / Double(step + 1), step: step,
          epoch: step / 10, task: step / 17 + 1)
      }
      for (i, row) in rows.enumerated() {
        try run.recordMatrixRow(trainedThrough: i, scores: row, metric: "accuracy")
        if i > 0 {
          try run.saveCheckpoint(
            task: i, epoch: nil, kind: "weights", data: Data(repeating: UInt8(i), count: 4096))
        }
      }
      try run.log("test/accuracy", value: rows[3].reduce(0, +) / 3, step: 50)
      try run.addKnowledge(
        (0..<20).map {
          KnowledgeEntry(features: Data([UInt8($0), 3]), target: Double($0 % 6), task: $0 % 3 + 1)
        })
      try run.finish()
    }
    let plain = try store.startRun(
      name: "sweep-1", experiment: nil, params: ["optimizer.lr": .number(0.001)])
    for step in 0..<10 { try plain.log("train/loss", value: Double(10 - step), step: step) }
    try plain.finish(.killed)
    let lost = try store.startRun(name: "lost", experiment: nil, params: [:])
    try lost.flush()
    try store.write {
      try $0.execute(
        "UPDATE runs SET heartbeat_at = heartbeat_at - 3600 WHERE id = ?",
        [.integer(lost.id)])
    }
    return path
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

  @Test func sqliteShellExamplesRun() throws {
    guard let sqlite3 = CommandRunner.executable(named: "sqlite3") else {
      Issue.record("The sqlite3 shell is missing: install it (apt-get install sqlite3).")
      return
    }
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    _ = try makeFixture(in: folder)
    let examples = blocks("sql")
    #expect(examples.count >= 5)
    for example in examples {
      let result = try CommandRunner.run(
        sqlite3, ["-bail", "track.db"], directory: folder.url, input: example)
      #expect(result.status == 0 && result.stderr.isEmpty, "\(example)\n\(result.stderr)")
      #expect(!result.stdout.isEmpty, "no rows from:\n\(example)")
    }
    // The summaries people read in the shell are the ones track computed.
    let first = try CommandRunner.run(
      sqlite3, ["-readonly", "track.db"], directory: folder.url,
      input: "SELECT status FROM run_overview WHERE name = 'lost';")
    #expect(first.stdout == "crashed\n")
  }

  @Test func pythonExamplesRun() throws {
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
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    _ = try makeFixture(in: folder)
    let examples = blocks("python")
    #expect(examples.count >= 3)
    for example in examples {
      let result = try CommandRunner.run(python, ["-"], directory: folder.url, input: example)
      #expect(result.status == 0, "\(example)\n\(result.stderr)")
      #expect(!result.stdout.isEmpty, "no output from:\n\(example)")
    }
    // The NaN logged at step 7 comes back as NaN in pandas.
    let nan = try CommandRunner.run(
      python, ["-"], directory: folder.url,
      input: """
        import sqlite3, pandas as pd
        con = sqlite3.connect("file:track.db?mode=ro", uri=True)
        frame = pd.read_sql_query("SELECT value FROM metrics WHERE step = 7 AND value IS NULL", con)
        print(len(frame), frame["value"].isna().all())
        """)
    #expect(nan.stdout == "2 True\n", "\(nan.stderr)")
  }
}
