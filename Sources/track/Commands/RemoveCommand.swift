import Experiments
import ArgumentParser
import Tracking

/// `track rm RUN...`: deletes runs with their metrics, matrix, checkpoints and knowledge.
struct RemoveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Delete runs and everything they logged (blobs are freed by `track gc`).")

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Runs to delete.", valueName: "run"))
  var references: [String]

  func validate() throws {
    if references.isEmpty { throw ValidationError("name at least one run to delete") }
  }

  func run() throws {
    let opened = try store.openExisting()
    let runs = try references.map { try opened.resolveRun($0) }
    for run in runs {
      try opened.deleteRun(run.id)
      Output.write("Removed run #\(run.id) \(run.name)\n")
    }
  }
}
