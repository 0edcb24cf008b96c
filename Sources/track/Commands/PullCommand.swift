import ArgumentParser
import Experiments
import Tracking

/// `track pull RUN... --from LOCATION`: copies whole runs from another store (the team's
/// PostgreSQL database) into this one (a local file).
struct PullCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pull",
    abstract: "Copy whole runs from another store (e.g. the team's PostgreSQL server) to this one.",
    discussion: """
      The runs are named as in the other store (id, name, UUID prefix, latest).
      Copies params, tags, metrics, tasks, matrices, checkpoints, the knowledge base
      and artifacts, each run in one transaction of this store, which is created when
      missing. A run keeps its UUID, so pulling again is safe: a run this store has
      already is skipped. A run still running is refused unless --allow-running.
        track pull latest --from postgres://me@db.lab/track
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Runs to copy (as the other store names them).", valueName: "run"))
  var references: [String]

  @Option(
    help: ArgumentHelp("The store to copy from: a postgres:// URL or a file.", valueName: "location"))
  var from: String

  @Flag(
    name: .customLong("allow-running"),
    help: "Copy a run that is still running as it stands (refused otherwise).")
  var allowRunning = false

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func validate() throws {
    if references.isEmpty { throw ValidationError("name at least one run to pull") }
  }

  func run() throws {
    try RunTransfer(
      verb: "Pulled", source: StoreLocation(from), destination: store.location,
      references: references, allowRunning: allowRunning, format: format
    ).run()
  }
}
