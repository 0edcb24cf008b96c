import ArgumentParser
import Experiments
import Tracking

/// `track push RUN... --to LOCATION`: copies whole runs from this store (a local file) to
/// another (the team's PostgreSQL database).
struct PushCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "push",
    abstract: "Copy whole runs from this store to another (e.g. the team's PostgreSQL server).",
    discussion: """
      Copies params, tags, metrics, tasks, matrices, checkpoints, the knowledge base
      and artifacts, each run in one transaction of the destination. A run keeps its
      UUID (its id is the destination's next), so pushing again is safe: a run the
      destination has already is skipped. A run still running is refused unless
      --allow-running; then it is copied as it stands, and pushing it again after it
      ends replaces that copy. Progress goes to stderr.
        track push latest --to postgres://me@db.lab/track
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Runs to copy (from --db).", valueName: "run"))
  var references: [String]

  @Option(
    help: ArgumentHelp(
      "The store to copy to: a postgres:// URL or a file (created when missing).",
      valueName: "location"))
  var to: String

  @Flag(
    name: .customLong("allow-running"),
    help: "Copy a run that is still running as it stands (refused otherwise).")
  var allowRunning = false

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func validate() throws {
    if references.isEmpty { throw ValidationError("name at least one run to push") }
  }

  func run() throws {
    try RunTransfer(
      verb: "Pushed", source: store.location, destination: StoreLocation(to),
      references: references, allowRunning: allowRunning, format: format
    ).run()
  }
}
