import Foundation
import Tracking

extension StoreOptions {
  /// Opens the store for reading and writing (creating it when needed).
  func openForWriting() throws -> Store {
    try rejectDirectory()
    return try Store(path: path)
  }

  /// A folder given as the database is a clear error (SQLite only says "disk I/O error").
  func rejectDirectory() throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      throw CLIError(
        .database, "'\(path)' is a folder, not a database file; point --db / TRACK_DB at a "
          + "file such as '\((path as NSString).appendingPathComponent("track.db"))'")
    }
  }

  /// Opens an existing store read-only; a missing file is a clear error, not a new file.
  func openForReading() throws -> Store {
    guard FileManager.default.fileExists(atPath: path) else {
      throw CLIError(
        .database,
        "no track database at '\(path)'; run `track run SPEC` or `track init` first, "
          + "or point --db / TRACK_DB at an existing file")
    }
    try rejectDirectory()
    return try Store(path: path, readOnly: true)
  }

  /// Opens an existing store for writing (rm, gc); a missing file is an error.
  func openExisting() throws -> Store {
    guard FileManager.default.fileExists(atPath: path) else {
      throw CLIError(
        .database, "no track database at '\(path)'; nothing to do (point --db / TRACK_DB at "
          + "the store that holds the runs)")
    }
    try rejectDirectory()
    return try Store(path: path)
  }
}
