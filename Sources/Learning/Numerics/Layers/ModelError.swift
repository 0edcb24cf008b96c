/// An error building or feeding a model: the code says what kind, the message says where.
public struct ModelError: Error, Equatable, CustomStringConvertible {
  /// What went wrong, for matching.
  public enum Code: String, Sendable {
    /// Sizes or activations do not describe a valid MLP.
    case invalidArchitecture
    /// Parameter or state counts do not match the model.
    case shapeMismatch
  }

  /// The kind of failure.
  public let code: Code
  /// What was wrong and what to do.
  public let message: String

  /// Creates an error with `code` and `message`.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  /// "model error (code): message".
  public var description: String { "model error (\(code.rawValue)): \(message)" }
}
