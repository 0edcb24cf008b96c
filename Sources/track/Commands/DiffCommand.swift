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
      --fail-if compares each later run's delta against the first run and exits 1
      when a condition holds, for CI gates. A trailing % compares the relative
      delta, in percent of the first run's value:
        track diff base latest --fail-if 'acc < -0.01' --fail-if 'bwt < -5%'
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Two or more runs; the first is the baseline.", valueName: "run"))
  var references: [String]

  @Option(help: ArgumentHelp("Show only one section.", valueName: "params|metrics|matrix"))
  var only: DiffView.Section?

  @Option(
    name: .customLong("fail-if"),
    help: ArgumentHelp(
      "Exit 1 when a delta against the first run satisfies KEY OP NUMBER[%] "
        + "(e.g. 'acc < -0.01'); repeatable.", valueName: "condition"))
  var failIf: [String] = []

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func validate() throws {
    guard references.count >= 2 else {
      throw ValidationError("track diff needs at least two runs (got \(references.count))")
    }
  }

  func run() throws {
    let conditions = try failIf.flatMap { try FailCondition.parseList($0) }
    let opened = try store.openForReading()
    let reports = try references.map { reference in
      try RunReport(store: opened, id: try opened.resolveRun(reference).id, withSeries: false)
    }
    let diff = RunDiff(reports)
    let failures = try evaluate(conditions, diff)
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

  /// Every condition against every later run.
  func evaluate(_ conditions: [FailCondition], _ diff: RunDiff) throws -> [FailureReport] {
    var reports: [FailureReport] = []
    for condition in conditions {
      guard let row = diff.numbers(for: condition.key) else {
        let known = (diff.summary + diff.metrics).map(\.key)
        throw CLIError(
          .usage, "--fail-if '\(condition.text)': no run has a metric '\(condition.key)'; "
            + "available: \(known.joined(separator: ", "))")
      }
      for index in diff.runs.indices.dropFirst() {
        let measured = condition.measure(value: row.values[index], base: row.values[0])
        let violated = measured.map { condition.comparison.holds($0, condition.threshold) } ?? true
        reports.append(
          FailureReport(
            condition: condition, run: diff.runs[index], measured: measured, violated: violated))
      }
    }
    return reports
  }
}

extension DiffView.Section: ExpressibleByArgument {}
