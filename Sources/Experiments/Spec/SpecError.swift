/// A problem with a spec file or a `--set` override; the message names the place and the fix.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What kind of problem, for callers and tests to match.
  public enum Code: String, Sendable {
    case fileNotFound, unreadable, invalidSyntax, notAMapping, unknownKey, wrongType
    case invalidValue, invalidOverride
    /// A data file the spec names cannot be used (the message names file and line).
    case invalidData
  }

  /// The kind of problem.
  public var code: Code
  /// Where (file, line, key) and what to do.
  public var message: String

  /// Creates an error.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  /// The message.
  public var description: String { message }
}
