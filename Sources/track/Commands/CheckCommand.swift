import ArgumentParser
import Experiments
import Tracking

/// `track check`: integrity, foreign keys, blob hashes and matrix summaries; exits 1 on a
/// problem. `--repair` recomputes missing or stale summaries first.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check the file: SQLite integrity, foreign keys, every blob's SHA-256 and the "
      + "matrix summaries (exit 1 when a problem is found).",
    discussion: """
      A matrix written by another client (sqlite3, pandas) has no summaries until track
      computes them: `track check --repair` recomputes missing or stale ACC, BWT, FWT and
      forgetting from the matrix cells, then checks.
      """)

  @OptionGroup var store: StoreOptions

  @Flag(help: "Recompute missing or out-of-date matrix summaries, then check.")
  var repair = false

  func run() throws {
    let opened = try repair ? store.openExisting() : store.openForReading()
    if repair {
      let repaired = try opened.repairSummaries()
      Output.write("repaired: summaries of \(repaired) matri\(repaired == 1 ? "x" : "ces")\n")
    }
    let report = try opened.check()
    for problem in report.problems { Output.write("problem: \(problem)\n") }
    Output.write(
      "\(report.isOK ? "OK" : "\(report.problems.count) problem(s)"): schema version "
        + "\(report.schemaVersion), \(report.runCount) runs, \(report.blobsChecked) blobs checked\n")
    if !report.isOK { throw CLIError(.checkFailed, "") }
  }
}
