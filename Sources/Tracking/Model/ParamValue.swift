import Foundation

/// Identifies a run inside one store (the `runs.id` column).
public typealias RunID = Int64

/// A hyperparameter value: text, or a number (stored with its text so filters compare numbers
/// as numbers and people still see what was given).
public enum ParamValue: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// Any text ("adam", "relu").
  case text(String)
  /// A number (0.01, 256).
  case number(Double)

  /// Parses user text: a finite decimal number becomes `.number`, anything else `.text`.
  ///
  /// ```swift
  /// ParamValue(parsing: "0.01")  // .number(0.01)
  /// ParamValue(parsing: "adam")  // .text("adam")
  /// ```
  public init(parsing text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if !trimmed.isEmpty, trimmed == text, let number = Double(trimmed), number.isFinite,
      trimmed.allSatisfy({ "0123456789+-.eE".contains($0) })
    {
      self = .number(number)
    } else {
      self = .text(text)
    }
  }

  /// The text stored in `params.value`.
  public var description: String {
    switch self {
    case .text(let text): return text
    case .number(let number): return StoreValue.format(number)
    }
  }

  /// The number stored in `params.number`, if any.
  public var number: Double? {
    if case .number(let number) = self { return number }
    return nil
  }
}

/// A logged parameter of a run.
public struct Param: Equatable, Sendable {
  /// The key ("optimizer.lr").
  public var key: String
  /// The value.
  public var value: ParamValue

  /// Creates a param.
  public init(key: String, value: ParamValue) {
    self.key = key
    self.value = value
  }
}
