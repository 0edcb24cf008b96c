import ArgumentParser
import Experiments
import Foundation
import Learning
import Tracking

/// `track export RUN`: the whole run as JSON, its metric points as CSV, or (`--weights`) its
/// latest weights as a safetensors file for PyTorch (docs/checkpoints.md).
struct ExportCommand: ParsableCommand {
  /// Export formats.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case json, csv
  }

  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a run: JSON (run, params, tags, tasks, matrix, every metric point, "
      + "checkpoints), CSV (every metric point) or its weights as safetensors.")

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

  @Option(
    help: ArgumentHelp(
      "Write the run's latest weights checkpoint to this safetensors file (tensors named "
        + "as PyTorch's nn.Sequential of nn.Linear: 0.weight, 0.bias, 2.weight, ...).",
      valueName: "file.safetensors"))
  var weights: String?

  func run() throws {
    let opened = try store.openForReading()
    let run = try opened.resolveRun(reference, note: StandardError.note)
    if let weights {
      try exportWeights(of: run, store: opened, to: weights)
      return
    }
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
      try ExportCommand.write(Data(text.utf8), to: output, option: "-o")
      StandardError.write("Exported run #\(run.id) \(run.name) to \(output)\n")
    } else {
      Output.write(text)
    }
  }

  /// Writes the latest weights of `run` to `path` as safetensors.
  private func exportWeights(of run: Run, store: any TrackStore, to path: String) throws {
    guard format == nil, output == nil else {
      throw CLIError(
        .usage, "--weights writes only the weights; drop --format/-o, or export the run's "
          + "JSON or CSV in a second command")
    }
    let export: WeightsExport
    do {
      export = try WeightsExport(store: store, run: run)
    } catch let error as CheckpointError {
      throw CLIError(
        .runtime, "run #\(run.id) \(run.name)'s weights checkpoint cannot be read: \(error)")
    }
    try ExportCommand.write(export.safetensors(), to: path, option: "--weights")
    StandardError.write(
      "Exported the weights of run #\(run.id) \(run.name) after task \(export.record.task) "
        + "(\(export.checkpoint.architecture.sizes.map(String.init).joined(separator: " → "))) "
        + "to \(path)\n")
  }

  /// Writes `data` to `path` atomically; a missing folder or a failed write is a usage error.
  static func write(_ data: Data, to path: String, option: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CLIError(
        .usage, "cannot write '\(path)': it is a folder; give a file name for \(option), e.g. "
          + "\(URL(fileURLWithPath: path).appendingPathComponent("out").path)")
    }
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw CLIError(
        .usage, "cannot write '\(path)': the folder '\(folder)' does not exist; create it "
          + "first or pick another \(option) path")
    }
    do {
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw CLIError(.usage, "cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  /// The format in effect: the one given, else csv for an output file named *.csv, else json.
  static func format(_ given: Format?, output: String?) -> Format {
    if let given { return given }
    return output?.lowercased().hasSuffix(".csv") == true ? .csv : .json
  }
}
