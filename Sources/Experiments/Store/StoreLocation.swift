import Foundation
import Tracking
import TrackingSQLite

/// Where a store is (`--db`, `TRACK_DB`, else ./track.db) and how a front end opens it: the
/// one place that picks the backend for a location.
public struct StoreLocation: Sendable, Equatable {
  /// The location as given (a file path).
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

  /// Opens the store for reading and writing (creating it when needed).
  public func openForWriting() throws -> any TrackStore {
    try rejectDirectory()
    return try SQLiteStore(path: path)
  }

  /// Opens an existing store read-only; a missing file is a clear error, not a new file.
  public func openForReading() throws -> any TrackStore {
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
    guard FileManager.default.fileExists(atPath: path) else {
      throw ExperimentError(
        .noStore,
        "no track database at '\(path)'; nothing to do (point --db / TRACK_DB at "
          + "the store that holds the runs)")
    }
    try rejectDirectory()
    return try SQLiteStore(path: path)
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
