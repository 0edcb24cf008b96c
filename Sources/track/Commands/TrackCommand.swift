import Experiments
import ArgumentParser

/// The root command: `track <subcommand>`.
struct TrackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "track",
    abstract: "Run continual-learning experiments and track every run in one SQLite file.",
    discussion: """
      The database is ./track.db unless --db or TRACK_DB says otherwise: a file,
      or postgres://user[:password]@host[:port]/db for a PostgreSQL server.
      A RUN is an id, a name, a UUID prefix, `latest` or `latest~N`.
      Exit codes: 0 ok, 1 a failed check (--fail-if, track check), 2 usage
      error, 3 unknown or ambiguous run, 4 database error, 5 experiment
      failed, 6 other runtime failure (a file that cannot be read or written,
      a damaged checkpoint), 130 interrupted. See docs/cli.md.
      """,
    version: "0.1.0",
    subcommands: [
      InitCommand.self, RunCommand.self, SweepCommand.self, RunsCommand.self, ShowCommand.self, DiffCommand.self,
      MetricsCommand.self, MatrixCommand.self, ExportCommand.self, QueryCommand.self,
      RemoveCommand.self, GarbageCollectCommand.self, CheckCommand.self, ServeCommand.self,
      ExecCommand.self, ReportCommand.self,
      PushCommand.self, PullCommand.self,
    ])
}
