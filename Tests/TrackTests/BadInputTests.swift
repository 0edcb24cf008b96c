import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// Bad input for each command: a clear message on standard error and the documented code.
@Suite(.serialized) struct BadInputTests {
  /// A database with three runs, two of them named "dup".
  func fixture() throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    for name in ["dup", "dup", "solo"] {
      let logger = try store.startRun(name: name, experiment: nil, params: ["x": .number(1)])
      try logger.log("acc", value: 0.5, step: 0)
      try logger.finish(.finished)
    }
    return track
  }

  func expectError(
    _ result: CommandResult, status: Int32, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
    for fragment in fragments {
      #expect(
        result.stderr.contains(fragment), "'\(fragment)' not in: \(result.stderr)",
        sourceLocation: sourceLocation)
    }
  }

  @Test func specProblemsAreUsageErrorsNamingFileLineAndKey() throws {
    let track = try fixture()
    defer { track.remove() }
    expectError(
      try track("run", "no/such/spec.yaml"), status: 2, "spec file 'no/such/spec.yaml' does not exist")
    let bad = try track.directory.write("bad.yaml", "data:\n  source: [synthetic\n")
    expectError(try track("run", bad), status: 2, "bad.yaml: line", "invalid YAML")
    let unknown = try track.directory.write(
      "unknown.yaml", "data:\n  source: synthetic\ntraining:\n  epoch: 2\n")
    expectError(
      try track("run", unknown), status: 2, "unknown.yaml:4: unknown key 'training.epoch'",
      "did you mean 'epochs'?", "allowed in 'training': epochs, batch_size, threads")
    let wrong = try track.directory.write(
      "wrong.yaml", "data:\n  source: synthetic\ntraining:\n  epochs: ten\n")
    expectError(
      try track("run", wrong), status: 2,
      "wrong.yaml:4: wrong type for 'training.epochs': expected an integer, got ten")
    let invalid = try track.directory.write(
      "invalid.yaml", "data:\n  source: synthetic\nstrategy:\n  type: replai\n")
    expectError(try track("run", invalid), status: 2, "invalid.yaml:4", "strategy.type", "replai")
    let good = try track.directory.write("good.yaml", "data:\n  source: synthetic\n")
    expectError(
      try track("run", good, "--set", "training.epohcs=2"), status: 2,
      "--set training.epohcs: unknown key")
  }

  @Test func missingDataPathIsASpecErrorBeforeAnyRunIsRecorded() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let spec = try track.directory.write(
      "series.yaml", "name: s\ndata:\n  source: series\n  path: no/such/prices.csv\n"
        + "scenario:\n  type: time-windows\n")
    expectError(
      try track("run", spec), status: 2, "series.yaml:4: 'data.path' names 'no/such/prices.csv'",
      "does not exist", "relative to the current directory")
    let files = try track.directory.write(
      "files.yaml",
      "data:\n  source: csv\n  target: label\n"
        + "  files: [Examples/tasks/task1.csv, /nope/task2.csv]\nscenario:\n  type: tasks\n")
    expectError(try track("run", files), status: 2, "files.yaml:4: 'data.files'", "/nope/task2.csv")
    // Nothing was written: no database file, so no `failed` run to clean up.
    #expect(!FileManager.default.fileExists(atPath: track.database))
  }

  @Test func unknownMatrixMetricNamesTheRecordedOnes() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    let logger = try store.startRun(name: "m", experiment: nil, params: [:])
    try logger.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    try logger.recordMatrixRow(trainedThrough: 1, scores: [0.9], metric: "accuracy")
    try logger.finish(.finished)
    expectError(
      try track("matrix", "m", "--metric", "loss"), status: 2,
      "run #1 m has no 'loss' matrix; it has: accuracy")
    #expect(try track("matrix", "m", "--metric", "accuracy").status == 0)
  }

  @Test func emptyDiffSectionsSayNoneInsteadOfABareHeader() throws {
    let track = try fixture()
    defer { track.remove() }
    // The fixture's runs share every parameter.
    let diff = try track("diff", "1", "3", "--only", "params")
    #expect(diff.status == 0)
    #expect(diff.stdout.hasSuffix("Parameters that differ (0)\n(none)\n"), "\(diff.stdout)")
    let gate = try track("diff", "1", "3", "--only", "params", "--fail-if", "delta(acc) >= -5%")
    #expect(gate.status == 1)
    #expect(gate.stderr.contains("acc relative change +0.0%\n"), "\(gate.stderr)")
    let markdown = try track("diff", "1", "3", "--only", "params", "--format", "md")
    #expect(markdown.stdout.hasSuffix("### Parameters that differ (0)\n\n(none)\n"))
  }

  @Test func unknownAndAmbiguousRunsExit3WithCandidates() throws {
    let track = try fixture()
    defer { track.remove() }
    expectError(try track("show", "nothing-like-this"), status: 3, "nothing-like-this")
    // A name two runs share means the newest (said on stderr); NAME~1 the one before.
    let newest = try track("show", "dup", "--format", "json")
    #expect(newest.status == 0, "\(newest.stderr)")
    #expect(newest.stdout.contains("\"id\": 2"), "\(newest.stdout)")
    #expect(newest.stderr.contains("'dup' names 2 runs; 'dup' is the newest, #2"), "\(newest.stderr)")
    let before = try track("show", "dup~1", "--format", "json")
    #expect(before.stdout.contains("\"id\": 1"), "\(before.stdout)")
    expectError(try track("show", "dup~2"), status: 3, "2 run(s) are named 'dup'")
    #expect(try track("show", "solo").stderr.isEmpty)
    expectError(try track("diff", "solo", "latest~9"), status: 3)
    expectError(try track("metrics", "404"), status: 3)
    expectError(try track("rm", "nope"), status: 3)
  }

  @Test func queryIsReadOnly() throws {
    let track = try fixture()
    defer { track.remove() }
    let write = try track("query", "DELETE FROM runs")
    #expect(write.status == 4, "\(write.stderr)")
    #expect(write.stderr.hasPrefix("error: "))
    #expect(try track("query", "SELECT count(*) FROM runs", "--format", "csv").stdout.hasSuffix("3\n"))
  }

  @Test func filtersAndConditionsThatDoNotParseAreUsageErrors() throws {
    let track = try fixture()
    defer { track.remove() }
    expectError(try track("runs", "--where", "acc >"), status: 2, "error: ")
    expectError(try track("runs", "--where", "acc > 0.5 and and"), status: 2)
    expectError(try track("runs", "--columns", "id,bogus"), status: 2, "unknown column 'bogus'")
    expectError(try track("diff", "solo", "1", "--fail-if", "acc"), status: 2, "--fail-if 'acc'")
    expectError(
      try track("diff", "solo", "1", "--fail-if", "nosuch < 0"), status: 2,
      "no run has a metric 'nosuch'")
  }

  @Test func usageErrorsExit2() throws {
    let track = try fixture()
    defer { track.remove() }
    expectError(try track("diff", "solo"), status: 2, "at least two runs")
    expectError(try track("runs", "--bogus"), status: 2, "--bogus")
    expectError(try track("runs", "--format", "xml"), status: 2, "xml")
    expectError(try track("runs", "--limit", "-1"), status: 2, "--limit must be 0 or more, not -1")
    expectError(try track("frobnicate"), status: 2)
    expectError(
      try track("run", "Examples/synthetic-smoke.yaml", "--name", ""), status: 2,
      "--name must not be empty")
    expectError(try track("run", "Examples"), status: 2, "'Examples' is a folder")
    let help = try track("runs", "--help", useDatabase: false)
    #expect(help.status == 0 && help.stdout.contains("--where"))
  }

  @Test func missingDatabaseIsADatabaseError() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    expectError(try track("runs"), status: 4, "no track database at")
    expectError(try track("show", "latest"), status: 4)
    #expect(!FileManager.default.fileExists(atPath: track.database))
    // --from on a store that does not exist must not create an empty one.
    expectError(
      try track("run", "Examples/synthetic-smoke.yaml", "--from", "latest"), status: 4,
      "no track database at")
    #expect(!FileManager.default.fileExists(atPath: track.database))
    let junk = try track.directory.write("junk.db", "this is not sqlite at all, not even close")
    expectError(
      try track.run(["runs", "--db", junk], useDatabase: false), status: 4, "error: ")
    // A folder is not a database file (SQLite itself only says "disk I/O error").
    let folder = track.directory.url.path
    for command in [["runs"], ["run", "Examples/synthetic-smoke.yaml"], ["gc"]] {
      expectError(
        try track.run(command + ["--db", folder], useDatabase: false), status: 4,
        "'\(folder)' is a folder, not a database file")
    }
  }
}
