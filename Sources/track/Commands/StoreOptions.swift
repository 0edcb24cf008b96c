import ArgumentParser
import Experiments
import Foundation
import Tracking

/// `--db`, shared by every command: the database file or PostgreSQL URL, else `TRACK_DB`,
/// else ./track.db.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The database: a file or a postgres:// URL (default: $TRACK_DB, else ./track.db).",
      valueName: "location"))
  var db: String?

  /// The location in effect.
  var location: StoreLocation { StoreLocation(db) }
  /// The path in effect.
  var path: String { location.path }

  /// Opens the store for reading and writing (creating it when needed).
  func openForWriting() throws -> any TrackStore { try location.openForWriting() }
  /// Opens an existing store read-only.
  func openForReading() throws -> any TrackStore { try location.openForReading() }
  /// Opens an existing store for writing.
  func openExisting() throws -> any TrackStore { try location.openExisting() }
}
