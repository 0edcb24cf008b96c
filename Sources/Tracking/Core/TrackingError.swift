import Foundation

/// An error thrown by a track store: a matchable `code`, a message that says what was wrong
/// and what to do, and for failures inside a backend its own account in `detail` (SQLite's
/// result code, the statement and its arguments), for people rather than for matching.
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
    /// No experiment has that id or name.
    case experimentNotFound
    /// An experiment of that name exists already.
    case experimentExists
    /// The run has no artifact at that path.
    case artifactNotFound
    /// A blob is missing.
    case blobNotFound
    /// A blob's content no longer matches its SHA-256.
    case blobCorrupt
    /// A filter or sort expression could not be parsed; the message names the column.
    case invalidFilter
    /// `query` was given SQL that writes, or more than one statement.
    case writeInQuery
    /// `query` was given SQL the backend cannot run (a typo, an unknown table or column).
    case invalidQuery
    /// Another writer kept the store locked past the retry deadline.
    case busy
    /// The backend failed (I/O error, disk full, a constraint); `detail` says how.
    case storage
  }

  /// The kind of failure.
  public var code: Code
  /// Human-readable explanation: what, where, and what to do.
  public var message: String
  /// The backend's own account of a failure inside it (result code, statement, arguments).
  public var detail: String?

  /// Creates an error.
  public init(_ code: Code, _ message: String, detail: String? = nil) {
    self.code = code
    self.message = message
    self.detail = detail
  }

  /// The message, followed by the backend's detail when present.
  public var description: String {
    guard let detail else { return message }
    return "\(message) (\(detail))"
  }

  /// The same text as `description`, for `localizedDescription`.
  public var errorDescription: String? { description }
}
