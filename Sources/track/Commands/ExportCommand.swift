import ArgumentParser
import Experiments
import Foundation
import Tracking

/// `track export RUN`: the whole run as JSON, or its metric points as CSV.
struct ExportCommand: ParsableCommand {
  /// Export formats.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case json, csv
  }

  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a run: JSON (run, params, tags, tasks, matrix, every metric point, "
      + "checkpoints) or CSV (every metric point).")

  @OptionGroup var store: StoreOptions

  @Argument(help: RunArgumentHelp.text)
  var reference: String

  @Option(
    help: ArgumentHelp(
      "Export format (default: csv when --output ends in .csv, else json).",
      valueName: "json|csv"))
  var format: Format?

  @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file.", valueName: "path"))
  var output: String?

  func run() throws {
    let opened = try store.openForReading()
    let run = try opened.resolveRun(reference, note: StandardError.note)
    let report = try RunReport(store: opened, id: run.id, withSeries: true)
    let text: String
    switch ExportCommand.format(format, output: output) {
    case .json:
      guard case .object(var members) = ShowView(report: report).json() else { return }
      members.append(("series", .object(report.series.keys.sorted().map { key in
        (key, .array((report.series[key] ?? []).map(MetricsCommand.json)))
      })))
      text = JSONValue.object(members).rendered()
    case .csv:
      var table = Table(columns: ["key", "step", "epoch", "task", "value"].map { Table.Column($0) })
      for key in report.series.keys.sorted() {
        for point in report.series[key] ?? [] {
          table.append(texts: [
            key, String(point.step), point.epoch.map(String.init) ?? "",
            point.task.map(String.init) ?? "", JSONValue.format(point.value),
          ])
        }
      }
      text = table.csv()
    }
    if let output {
      let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw CLIError(
          .usage, "cannot write '\(output)': the folder '\(folder)' does not exist; create it "
            + "first or pick another -o path")
      }
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
      } catch {
        throw CLIError(.usage, "cannot write '\(output)': \(error.localizedDescription)")
      }
      StandardError.write("Exported run #\(run.id) \(run.name) to \(output)\n")
    } else {
      Output.write(text)
    }
  }

  /// The format in effect: the one given, else csv for an output file named *.csv, else json.
  static func format(_ given: Format?, output: String?) -> Format {
    if let given { return given }
    return output?.lowercased().hasSuffix(".csv") == true ? .csv : .json
  }
}
