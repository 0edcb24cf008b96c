import ArgumentParser
import Foundation

/// `--db`, shared by every command: the database file, else `TRACK_DB`, else ./track.db.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The database file (default: $TRACK_DB, else ./track.db).", valueName: "path"))
  var db: String?

  /// The path in effect.
  var path: String {
    if let db, !db.isEmpty { return db }
    if let env = ProcessInfo.processInfo.environment["TRACK_DB"], !env.isEmpty { return env }
    return "track.db"
  }
}
