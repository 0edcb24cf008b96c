import Experiments
import ArgumentParser
import Tracking

/// `track check`: SQLite integrity, foreign keys and blob hashes; exits 1 on a problem.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check the file: SQLite integrity, foreign keys and every blob's SHA-256 "
      + "(exit 1 when a problem is found).")

  @OptionGroup var store: StoreOptions

  func run() throws {
    let report = try store.openForReading().check()
    for problem in report.problems { Output.write("problem: \(problem)\n") }
    Output.write(
      "\(report.isOK ? "OK" : "\(report.problems.count) problem(s)"): schema version "
        + "\(report.schemaVersion), \(report.runCount) runs, \(report.blobsChecked) blobs checked\n")
    if !report.isOK { throw CLIError(.checkFailed, "") }
  }
}
