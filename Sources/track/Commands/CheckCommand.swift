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
      forgetting from the matrix cells, then checks. The SQLite part is quick_check
      by default (seconds on a large file); --full runs integrity_check, which also
      compares every index with its table.
      """)

  @OptionGroup var store: StoreOptions

  @Flag(help: "Recompute missing or out-of-date matrix summaries, then check.")
  var repair = false

  @Flag(
    help: ArgumentHelp(
      "Run SQLite's full integrity_check (every index against its table; slow on a large "
        + "file) instead of the default quick_check."))
  var full = false

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let opened = try repair ? store.openExisting() : store.openForReading()
    var text = ""
    var repaired: Int?
    if repair {
      let count = try opened.repairSummaries()
      repaired = count
      text += "repaired: summaries of \(count) matri\(count == 1 ? "x" : "ces")\n"
    }
    let report = try opened.check(full: full)
    for problem in report.problems { text += "problem: \(problem)\n" }
    text +=
      "\(report.isOK ? "OK" : "\(report.problems.count) problem(s)"): schema version "
      + "\(report.schemaVersion), \(report.runCount) runs, \(report.blobsChecked) blobs checked"
      + (full ? " (full integrity check)" : "") + "\n"
    let fields = FieldList(fields: [
      ("ok", .bool(report.isOK)), ("full", .bool(full)),
      ("schema_version", .integer(Int64(report.schemaVersion))),
      ("runs", .integer(Int64(report.runCount))),
      ("blobs_checked", .integer(Int64(report.blobsChecked))),
      ("repaired", repaired.map { .integer(Int64($0)) } ?? .null),
      ("problems", .array(report.problems.map { .string($0) })),
    ])
    Output.write(fields.rendered(format, text: text))
    if !report.isOK { throw CLIError(.checkFailed, "") }
  }
}
