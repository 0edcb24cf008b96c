import ArgumentParser
import Experiments
import Foundation
import TrackWeb

/// `track report RUN... [-o FILE]`: the web UI's run page (one run) or compare page
/// (several) as one self-contained HTML file.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a run (or a comparison of runs) as one self-contained HTML file: charts, "
      + "the matrix heatmap, forgetting, parameters and deltas.",
    discussion: """
      The file has its style and SVG charts inline and makes no request anywhere, so it
      opens offline, in a pull request's artifacts, a lab notebook or a paper's appendix.
      Curves are downsampled per pixel (spikes kept), so 100,000 points per metric stay small.
        track report latest -o run.html
        track report split-fmnist-naive split-fmnist-replay -o compare.html
      The same pages, live, are served by `track serve` at /.
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp(
    "One run (its page) or several (compared with the first).", valueName: "run"))
  var references: [String] = []

  @Option(name: .shortAndLong, help: ArgumentHelp(
    "The HTML file to write (- for standard output).", valueName: "file"))
  var output: String = "report.html"

  func validate() throws {
    if references.isEmpty {
      throw ValidationError("give at least one run, e.g. track report latest -o run.html")
    }
    if references.count > WebViews.maximumCompared {
      throw ValidationError(
        "a report compares at most \(WebViews.maximumCompared) runs, not \(references.count)")
    }
  }

  func run() throws {
    let opened = try store.openForReading()
    let runs = try references.map { try opened.resolveRun($0, note: StandardError.note) }
    let html = try WebViews.report(store: opened, runs: runs.map(\.id))
    if output == "-" {
      Output.write(html)
      return
    }
    try ExportCommand.write(Data(html.utf8), to: output, option: "-o")
    let what = runs.count == 1
      ? "run #\(runs[0].id) \(runs[0].name)" : "\(runs.count) runs (\(runs.map { "#\($0.id)" }.joined(separator: ", ")))"
    StandardError.write(
      "Wrote \(what) to \(output) (\(NumberFormatting.bytes(html.utf8.count)))\n")
  }
}
