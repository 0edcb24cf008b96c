/// An error of the application library that is neither the store's nor the learner's: the
/// request itself was wrong, or there is nothing to work on. Front ends map `code` to their
/// own answer (the CLI to an exit status, the server to an HTTP status).
public struct ExperimentError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What kind of failure this is; match on it rather than on the message.
  public enum Code: String, Sendable {
    /// The request was wrong: a bad option value, a run that cannot be continued, a
    /// condition that does not parse, a key no run has.
    case invalidRequest
    /// There is no store where one was expected.
    case noStore
    /// The run was interrupted (a signal, a cancelled request); it is marked killed.
    case interrupted
  }

  /// The kind of failure.
  public var code: Code
  /// What was wrong, where, and what to do (lower case, no trailing period: CLI style).
  public var message: String

  /// Creates an error.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  /// The message.
  public var description: String { message }
}
