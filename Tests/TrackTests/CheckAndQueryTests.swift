import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `track check --repair` for a matrix another client wrote, and `track query`'s line
/// between a typo (usage, 2) and a refused write (database, 4).
@Suite(.serialized) struct CheckAndQueryTests {
  @Test func checkReportsAMatrixWithoutSummariesAndRepairFixesIt() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    let run = try store.startRun(name: "foreign", experiment: nil, params: [:])
    try run.finish()
    // Another client writes a 2-task matrix through the documented schema.
    let cells = [(0, 1, 0.1), (0, 2, 0.1), (1, 1, 0.9), (1, 2, 0.2), (2, 1, 0.7), (2, 2, 0.8)]
    let sql = cells.map { i, j, v in
      "INSERT INTO matrix (run_id, metric, trained_through, task, value) "
        + "VALUES (\(run.id), 'accuracy', \(i), \(j), \(v));"
    }.joined(separator: "\n")
    let written = try CommandRunner.run(
      URL(fileURLWithPath: "/usr/bin/sqlite3"), [track.database], input: sql)
    #expect(written.status == 0, "\(written.stderr)")

    let check = try track("check")
    #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("matrix 'accuracy' has no summaries"))
    #expect(check.stdout.contains("track check --repair"))
    let before = try track("query", "SELECT acc, bwt FROM run_overview", "--format", "csv")
    #expect(before.stdout == "acc,bwt\n,\n")  // NULL: not computed yet

    let repair = try track("check", "--repair")
    #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
    #expect(repair.stdout.contains("repaired: summaries of 1 matrix"))
    #expect(repair.stdout.contains("OK"))
    let after = try track("query", "SELECT acc, bwt FROM run_overview", "--format", "csv")
    #expect(after.stdout == "acc,bwt\n0.75,-0.20000000000000007\n", "\(after.stdout)")
    #expect(try track("check").status == 0)
  }

  @Test func queryTyposAreUsageErrorsAndTrailingCommentsAreFine() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let store = try SQLiteStore(path: track.database)
    try store.startRun(name: "one", experiment: nil, params: [:]).finish()
    let comment = try track("query", "SELECT 1 AS x; -- note", "--format", "csv")
    #expect(comment.status == 0, "\(comment.stderr)")
    #expect(comment.stdout == "x\n1\n")
    let typo = try track("query", "SELEC name FROM runs")
    #expect(typo.status == 2, "\(typo.stderr)")
    #expect(typo.stderr.hasPrefix("error: The query does not run"), "\(typo.stderr)")
    let unknown = try track("query", "SELECT name FROM no_such_table")
    #expect(unknown.status == 2, "\(unknown.stderr)")
    #expect(unknown.stderr.contains("no such table: no_such_table"))
    let second = try track("query", "SELECT 1; DELETE FROM runs")
    #expect(second.status == 4, "\(second.stderr)")
  }
}
