/// A problem with a spec file or a `--set` override; the message names the place and the fix.
struct SpecError: Error, CustomStringConvertible, Equatable {
  /// What kind of problem, for callers and tests to match.
  enum Code: String {
    case fileNotFound, unreadable, invalidSyntax, notAMapping, unknownKey, wrongType
    case invalidValue, invalidOverride
  }

  var code: Code
  var message: String

  init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  var description: String { message }
}
