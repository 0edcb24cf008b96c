import Experiments
import ArgumentParser
import Tracking

/// `track show RUN`: parameters, summary, matrix heatmap, metric curves, checkpoints.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one run: parameters, summary (ACC, BWT, FWT, forgetting), the matrix, "
      + "metric curves, checkpoints and knowledge-base size.")

  @OptionGroup var store: StoreOptions

  @Argument(help: RunArgumentHelp.text)
  var reference: String

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let opened = try store.openForReading()
    let resolved = try opened.resolveRun(reference, note: StandardError.note)
    let view = ShowView(report: try RunReport(store: opened, id: resolved.id, withSeries: true))
    switch format {
    case .table: Output.write(view.text(terminal: .current))
    case .md: Output.write(view.markdown())
    case .csv: Output.write(view.csv())
    case .json: Output.write(view.json().rendered())
    }
  }
}
