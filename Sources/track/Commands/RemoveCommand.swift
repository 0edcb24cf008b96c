import Experiments
import ArgumentParser
import Foundation
import Tracking

/// `track rm RUN...`: deletes runs with their metrics, matrix, checkpoints and knowledge.
///
/// Deleting cannot be undone, so on a terminal it asks first; without a terminal to ask
/// (a script, CI) it deletes only with `--yes`, and refuses otherwise (exit 2) rather than
/// guess what the caller meant.
struct RemoveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Delete runs and everything they logged (blobs are freed by `track gc`).",
    discussion: """
      On a terminal, track rm lists the runs and asks before deleting. Without one
      (a script, CI) it deletes only with --yes and otherwise exits 2 having deleted
      nothing. Answering anything but y deletes nothing (exit 0). --dry-run lists
      what would be deleted and deletes nothing.
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Runs to delete.", valueName: "run"))
  var references: [String]

  @Flag(name: [.customShort("y"), .long], help: "Delete without asking.")
  var yes = false

  @Flag(name: .customLong("dry-run"), help: "List the runs that would be deleted; delete none.")
  var dryRun = false

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func validate() throws {
    if references.isEmpty { throw ValidationError("name at least one run to delete") }
  }

  func run() throws {
    let opened = try dryRun ? store.openForReading() : store.openExisting()
    var runs: [Run] = []
    for reference in references {
      let run = try opened.resolveRun(reference, note: StandardError.note)
      if !runs.contains(where: { $0.id == run.id }) { runs.append(run) }
    }
    if !dryRun, !yes, !(try confirm(runs)) {
      // As rm -i: declining is an answer, not an error.
      StandardError.write("Nothing deleted.\n")
      return
    }
    if !dryRun {
      for run in runs { try opened.deleteRun(run.id) }
    }
    let verb = dryRun ? "Would remove" : "Removed"
    let text = runs.map { "\(verb) run #\($0.id) \($0.name)\n" }.joined()
    let fields = FieldList(fields: [
      ("dry_run", .bool(dryRun)),
      ("runs", .array(runs.map(RunJSON.reference))),
    ])
    switch format {
    case .csv, .md:
      var table = Table(columns: [
        Table.Column("id", numeric: true), Table.Column("uuid"), Table.Column("name"),
        Table.Column("removed"),
      ])
      for run in runs {
        table.append(texts: [String(run.id), run.uuid, run.name, dryRun ? "false" : "true"])
      }
      Output.write(table.rendered(format, terminal: .current))
    default:
      Output.write(fields.rendered(format, text: text))
    }
  }

  /// Asks on the terminal whether to delete; throws when there is no one to ask.
  func confirm(_ runs: [Run]) throws -> Bool {
    let list = runs.map { "#\($0.id) \($0.name)" }.joined(separator: ", ")
    guard Terminal.inputIsInteractive else {
      throw CLIError(
        .usage, "track rm deletes \(list) for good and standard input is not a terminal to "
          + "ask on; pass --yes to delete, or --dry-run to list what would be deleted")
    }
    let what = runs.count == 1 ? "run" : "\(runs.count) runs"
    StandardError.write(
      "Delete \(what) \(list) and everything logged in \(runs.count == 1 ? "it" : "them")? "
        + "This cannot be undone. [y/N] ")
    let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    return answer == "y" || answer == "yes"
  }
}
