/// Why a checkpoint could not be read; `code` is for matching, `message` for people.
public struct CheckpointError: Error, Equatable, CustomStringConvertible {
  /// What went wrong.
  public enum Code: String, Sendable {
    /// The data ends before the format says it should.
    case truncated
    /// The data does not start with the checkpoint's magic bytes.
    case badMagic
    /// Written by a newer format version than this build reads.
    case unsupportedVersion
    /// The CRC-32 over the content does not match: the bytes were altered.
    case checksumMismatch
    /// Well-formed bytes describing something impossible (unknown activation, counts that
    /// disagree with the architecture, bytes after the end).
    case invalidContent
  }

  /// The kind of failure.
  public let code: Code
  /// What was wrong, where (byte offset) and what to do.
  public let message: String

  /// Creates an error with `code` and `message`.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  /// "checkpoint error (code): message".
  public var description: String { "checkpoint error (\(code.rawValue)): \(message)" }
}
