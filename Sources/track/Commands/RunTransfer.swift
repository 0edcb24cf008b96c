import Experiments
import Foundation
import Tracking

/// What `track push` and `track pull` share: resolve the runs in the source store, copy each
/// with `RunCopier` (progress on stderr), and say where each one went.
struct RunTransfer {
  /// "Pushed" or "Pulled", for the lines on stdout.
  let verb: String
  let source: StoreLocation
  let destination: StoreLocation
  let references: [String]
  let allowRunning: Bool
  let format: OutputFormat

  func run() throws {
    guard source.path != destination.path else {
      throw CLIError(
        .usage, "the source and the destination are the same store (\(source.displayName))")
    }
    let from = try source.openForReading()
    var runs: [Run] = []
    for reference in references {
      let run = try from.resolveRun(reference, note: StandardError.note)
      if !runs.contains(where: { $0.id == run.id }) { runs.append(run) }
    }
    let to = try destination.openForWriting()
    let copier = RunCopier(
      from: from, to: to, allowRunning: allowRunning, progress: StandardError.note)
    var text = ""
    var items: [JSONValue] = []
    for run in runs {
      let outcome = try copier.copy(run)
      let what: String
      switch outcome {
      case .copied: what = "copied"
      case .replaced: what = "replaced"
      case .alreadyThere: what = "already_there"
      }
      text +=
        outcome == .alreadyThere(outcome.destinationID)
        ? "Run #\(run.id) \(run.name) is already in \(to.location) as #\(outcome.destinationID)\n"
        : "\(verb) run #\(run.id) \(run.name) to \(to.location) as #\(outcome.destinationID)\n"
      items.append(
        .object([
          ("id", .integer(run.id)), ("uuid", .string(run.uuid)), ("name", .string(run.name)),
          ("destination_id", .integer(outcome.destinationID)), ("outcome", .string(what)),
        ]))
    }
    let fields = FieldList(fields: [
      ("from", .string(from.location)), ("to", .string(to.location)), ("runs", .array(items)),
    ])
    Output.write(fields.rendered(format, text: text))
  }
}
