import CSQLite
import Foundation

/// An error thrown by the Tracking library: a matchable `code`, a message that says what was
/// wrong and what to do, and for SQLite failures the result code, the SQL and its arguments.
public struct TrackingError: Error, LocalizedError, CustomStringConvertible, Sendable {
  /// What kind of failure this is; match on it rather than on the message.
  public enum Code: String, Sendable {
    /// The file exists but is not an SQLite database.
    case notADatabase
    /// The file is an SQLite database but was not made by track.
    case notATrackStore
    /// The file was written by a newer track whose schema this binary does not know.
    case newerSchema
    /// The file or its folder cannot be written (or the store was opened read-only).
    case readOnly
    /// The file or folder cannot be opened at all.
    case cannotOpen
    /// A name or key is empty, too long or contains characters that are not allowed.
    case invalidName
    /// A value is out of range or malformed (e.g. a matrix row with the wrong width).
    case invalidValue
    /// A parameter was logged again with a different value (params are immutable).
    case paramConflict
    /// No run matches the reference.
    case runNotFound
    /// Several runs match the reference; the message lists them.
    case ambiguousRun
    /// The run is finished and cannot be written any more.
    case runNotActive
    /// A blob is missing.
    case blobNotFound
    /// A blob's content no longer matches its SHA-256.
    case blobCorrupt
    /// A filter or sort expression could not be parsed; the message names the column.
    case invalidFilter
    /// `query` was given SQL that writes, or more than one statement.
    case writeInQuery
    /// SQLite reported an error; `sqliteCode`, `sql` and `arguments` say which.
    case sqlite
  }

  /// The kind of failure.
  public var code: Code
  /// Human-readable explanation: what, where, and what to do.
  public var message: String
  /// The SQLite (extended) result code, when SQLite reported the failure.
  public var sqliteCode: Int32?
  /// The SQL being executed, when relevant.
  public var sql: String?
  /// The arguments bound to `sql`, rendered for display.
  public var arguments: [String]

  /// Creates an error.
  public init(
    _ code: Code, _ message: String, sqliteCode: Int32? = nil, sql: String? = nil,
    arguments: [String] = []
  ) {
    self.code = code
    self.message = message
    self.sqliteCode = sqliteCode
    self.sql = sql
    self.arguments = arguments
  }

  /// The message, followed by SQLite details when present.
  public var description: String {
    var text = message
    if let sqliteCode {
      text += " (SQLite error \(sqliteCode)"
      if let sql { text += " in `\(sql.trimmingCharacters(in: .whitespacesAndNewlines))`" }
      if !arguments.isEmpty { text += " with arguments [\(arguments.joined(separator: ", "))]" }
      text += ")"
    }
    return text
  }

  /// The same text as `description`, for `localizedDescription`.
  public var errorDescription: String? { description }

  /// True when the primary SQLite result code is SQLITE_BUSY or SQLITE_LOCKED.
  var isBusy: Bool {
    guard let sqliteCode else { return false }
    let primary = sqliteCode & 0xff
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
  }
}
