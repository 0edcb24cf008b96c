import Experiments
import ArgumentParser
import Tracking

/// `track diff A B [C...]`: parameters, summary metrics, final metrics and matrix cells.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare runs with the first: parameters, summary and final metrics with "
      + "absolute and relative deltas, and the matrix of deltas.",
    discussion: """
      --fail-if exits 1 when a condition holds for any later run, for CI gates.
      KEY compares the run's value itself, delta(KEY) its change against the
      first run; a trailing % compares the change in percent of the first run's
      value. A value that was not measured counts as a failure.
        track diff base latest --fail-if 'acc < 0.7'
        track diff base latest --fail-if 'delta(acc) < -0.01' --fail-if 'delta(bwt) < -5%'
      (Before, a bare KEY compared the delta; write delta(KEY) for that.)
      Two groups of runs (e.g. two sweeps), their means and whether the difference
      exceeds the spread (|delta| > 2 standard errors):
        track diff --group "tag.sweep = 'a'" --group "tag.sweep = 'b'"
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Two or more runs; the first is the baseline.", valueName: "run"))
  var references: [String] = []

  @Option(
    name: .customLong("group"),
    help: ArgumentHelp(
      "Compare two groups of runs instead, each a --where filter (give it twice): n, mean ± "
        + "sd of acc, bwt, fwt, forgetting, the difference and whether it exceeds 2 "
        + "standard errors.", valueName: "expr"))
  var groups: [String] = []

  @Option(
    help: ArgumentHelp(
      "Read the runs after the first from this store (a file or postgres:// URL): compare a "
        + "run with its copy after track push or pull.", valueName: "location"))
  var against: String?

  @Option(help: ArgumentHelp("Show only one section.", valueName: "params|metrics|matrix"))
  var only: DiffView.Section?

  @Option(
    name: .customLong("fail-if"),
    help: ArgumentHelp(
      "Exit 1 when a later run's value satisfies KEY OP NUMBER ('acc < 0.7'), or its change "
        + "against the first run delta(KEY) OP NUMBER[%] ('delta(acc) < -0.01'); repeatable.",
      valueName: "condition"))
  var failIf: [String] = []

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func validate() throws {
    if !groups.isEmpty {
      guard groups.count == 2, references.isEmpty else {
        throw ValidationError(
          "--group compares exactly two groups and no runs (got \(groups.count) groups, "
            + "\(references.count) runs)")
      }
      return
    }
    guard references.count >= 2 else {
      throw ValidationError("track diff needs at least two runs (got \(references.count))")
    }
  }

  func run() throws {
    if !groups.isEmpty {
      try GroupDiffView.write(filters: groups, store: try store.openForReading(), format: format)
      return
    }
    let conditions = try failIf.flatMap { try FailCondition.parseList($0) }
    let opened = try store.openForReading()
    let other = try against.map { try StoreLocation($0).openForReading() } ?? opened
    let reports = try references.enumerated().map { index, reference in
      let source = index == 0 ? opened : other
      return try RunReport(
        store: source, id: try source.resolveRun(reference, note: StandardError.note).id,
        withSeries: false)
    }
    let diff = RunDiff(reports)
    let failures = try FailureReport.evaluate(conditions, in: diff)
    for note in FailureReport.notes(conditions, in: diff) { StandardError.write(note + "\n") }
    let view = DiffView(diff: diff, sections: only.map { [$0] } ?? DiffView.Section.allCases)
    switch format {
    case .table: Output.write(view.text(terminal: .current))
    case .md: Output.write(view.markdown())
    case .csv: Output.write(view.csv())
    case .json: Output.write(view.json(failures: failures).rendered())
    }
    let violated = failures.filter(\.violated)
    for failure in violated { StandardError.write(failure.message + "\n") }
    if !violated.isEmpty { throw CLIError(.checkFailed, "") }
  }
}

extension DiffView.Section: ExpressibleByArgument {}
