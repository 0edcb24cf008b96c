import Experiments
import ArgumentParser
import Tracking

/// `track matrix RUN`: the matrix R as a heatmap, with its summaries.
struct MatrixCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "matrix",
    abstract: "Print a run's matrix R[i][j] (score on task j after training through task i; "
      + "row 0 is the untrained baseline) and ACC, BWT, FWT, forgetting.")

  @OptionGroup var store: StoreOptions

  @Argument(help: RunArgumentHelp.text)
  var reference: String

  @Option(help: ArgumentHelp("Which matrix metric (default: the run's).", valueName: "name"))
  var metric: String?

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let opened = try store.openForReading()
    let run = try opened.resolveRun(reference, note: StandardError.note)
    let matrix = try opened.matrix(of: run.id, metric: metric)
    guard matrix.taskCount > 0 else {
      let recorded = try opened.matrixMetrics(of: run.id)
      if let metric, !recorded.isEmpty {
        throw CLIError(
          .usage, "run #\(run.id) \(run.name) has no '\(metric)' matrix; it has: "
            + recorded.joined(separator: ", "))
      }
      throw CLIError(
        .usage, "run #\(run.id) \(run.name) has no matrix recorded (it finished no task; "
          + "status \(run.status.rawValue))")
    }
    let terminal = Terminal.current
    let names = try opened.tasks(of: run.id).sorted { $0.index < $1.index }.map(\.name)
    let table = Heatmap.table(
      rows: matrix.rows, taskCount: matrix.taskCount, terminal: terminal, taskNames: names)
    switch format {
    case .json:
      Output.write(ShowView.matrix(matrix).rendered())
    case .table:
      var out = table.aligned(terminal: terminal) + "\n"
      for (key, value) in [
        ("ACC", matrix.accuracy), ("BWT", matrix.backwardTransfer),
        ("FWT", matrix.forwardTransfer), ("forgetting", matrix.forgetting),
      ] {
        out += "\(key): \(NumberFormatting.value(value).isEmpty ? "—" : NumberFormatting.value(value))  "
      }
      Output.write(out.trimmingCharacters(in: .whitespaces) + "\n")
    case .csv:
      let exact = Heatmap.table(
        rows: matrix.rows, taskCount: matrix.taskCount, terminal: terminal, exact: true)
      Output.write(exact.rendered(.csv, terminal: terminal))
    default:
      Output.write(table.rendered(format, terminal: terminal))
    }
  }
}
