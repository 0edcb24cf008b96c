import Foundation
import Tracking
import TrackingPostgres
import TrackingSQLite

/// Where a store is (`--db`, `TRACK_DB`, else ./track.db) and how a front end opens it: the
/// one place that picks the backend for a location. A `postgres://` (or `postgresql://`) URL
/// is a database on a PostgreSQL server (`PostgresStore`); anything else is a SQLite file.
public struct StoreLocation: Sendable, Equatable {
  /// The location as given (a file path or a PostgreSQL URL, password included).
  public var path: String

  /// The location `explicit` names, else `TRACK_DB`, else ./track.db.
  public init(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let explicit, !explicit.isEmpty {
      path = explicit
    } else if let variable = environment["TRACK_DB"], !variable.isEmpty {
      path = variable
    } else {
      path = "track.db"
    }
  }

  /// Whether the location is a PostgreSQL URL rather than a file.
  public var isPostgres: Bool { PostgresURL.isPostgres(path) }

  /// The location as messages show it: a URL without its password, a path as given.
  public var displayName: String {
    guard isPostgres else { return path }
    return (try? PostgresURL(parsing: path).redacted) ?? "a PostgreSQL URL that does not parse"
  }

  /// Whether a store is there already: the file exists, or the database holds a track
  /// store's tables.
  public func exists() -> Bool {
    if isPostgres { return (try? PostgresStore(url: path, readOnly: true)) != nil }
    return FileManager.default.fileExists(atPath: path)
  }

  /// Opens the store for reading and writing (creating it when needed).
  public func openForWriting() throws -> any TrackStore {
    if isPostgres { return try PostgresStore(url: path) }
    try rejectDirectory()
    return try SQLiteStore(path: path, onUpgrade: announceUpgrade)
  }

  /// Opens an existing store read-only; a missing file is a clear error, not a new file.
  public func openForReading() throws -> any TrackStore {
    if isPostgres { return try openPostgres(readOnly: true) }
    guard FileManager.default.fileExists(atPath: path) else {
      throw ExperimentError(
        .noStore,
        "no track database at '\(path)'; run `track run SPEC` or `track init` first, "
          + "or point --db / TRACK_DB at an existing file")
    }
    try rejectDirectory()
    return try SQLiteStore(path: path, readOnly: true)
  }

  /// Opens an existing store for writing (rm, gc, --from); a missing file is an error.
  public func openExisting() throws -> any TrackStore {
    if isPostgres {
      _ = try openPostgres(readOnly: true)
      return try PostgresStore(url: path)
    }
    guard FileManager.default.fileExists(atPath: path) else {
      throw ExperimentError(
        .noStore,
        "no track database at '\(path)'; nothing to do (point --db / TRACK_DB at "
          + "the store that holds the runs)")
    }
    try rejectDirectory()
    return try SQLiteStore(path: path, onUpgrade: announceUpgrade)
  }

  /// Says on stderr why opening an older file waits (the upgrade runs once, in place).
  private func announceUpgrade(from version: Int, to latest: Int) {
    FileHandle.standardError.write(
      Data(
        ("track: upgrading \(path) from schema version \(version) to \(latest) (once; a large "
          + "store takes a minute or so)\n").utf8))
  }

  /// Opens a PostgreSQL store read-only; an empty database is `.noStore`, as a missing file.
  private func openPostgres(readOnly: Bool) throws -> any TrackStore {
    do {
      return try PostgresStore(url: path, readOnly: readOnly)
    } catch let error as TrackingError where error.code == .notATrackStore {
      guard error.message.contains("is empty") else { throw error }
      throw ExperimentError(
        .noStore,
        "no track store in the database \(displayName) yet; run `track run SPEC` or "
          + "`track init --db URL` first, or point --db / TRACK_DB at the team's store")
    }
  }

  /// A folder given as the database is a clear error (SQLite only says "disk I/O error").
  private func rejectDirectory() throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      throw ExperimentError(
        .noStore,
        "'\(path)' is a folder, not a database file; point --db / TRACK_DB at a "
          + "file such as '\((path as NSString).appendingPathComponent("track.db"))'")
    }
  }
}
