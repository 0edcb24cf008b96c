/// A problem with a spec file or a `--set` override; the message names the place and the fix.
public struct SpecError: Error, CustomStringConvertible, Equatable {
  /// What kind of problem, for callers and tests to match.
  public enum Code: String {
    case fileNotFound, unreadable, invalidSyntax, notAMapping, unknownKey, wrongType
    case invalidValue, invalidOverride
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
