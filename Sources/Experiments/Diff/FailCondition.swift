import Foundation

/// A `--fail-if` threshold: `acc < 0.7` (the value of each later run), `delta(acc) < -0.01`
/// (its change against the first run) or `delta(forgetting) > 5%` (the change in percent of
/// the first run's value).
///
/// ```swift
/// let gate = try FailCondition.parse("delta(acc) < -0.01")
/// gate.measure(value: 0.70, base: 0.75)  // -0.05: the gate holds
/// ```
///
/// Before, a bare `KEY` compared the delta; it now compares the value itself, which is how
/// `acc < 0.7` reads. A bare `KEY` with a `%` is refused with the new spelling, since a
/// percentage only makes sense for a change.
public struct FailCondition: Equatable {
  /// Comparison operators.
  public enum Comparison: String, CaseIterable {
    case lessOrEqual = "<=", greaterOrEqual = ">=", notEqual = "!=", less = "<", greater = ">"
    case equal = "="

    public func holds(_ lhs: Double, _ rhs: Double) -> Bool {
      switch self {
      case .less: return lhs < rhs
      case .lessOrEqual: return lhs <= rhs
      case .greater: return lhs > rhs
      case .greaterOrEqual: return lhs >= rhs
      case .equal: return lhs == rhs
      case .notEqual: return lhs != rhs
      }
    }
  }

  /// What a condition compares with its threshold.
  public enum Quantity: String, Equatable {
    /// The later run's value itself (`acc < 0.7`).
    case value
    /// The later run's value minus the first run's (`delta(acc) < -0.01`).
    case delta
    /// The delta in percent of the first run's absolute value (`delta(acc) < -5%`).
    case relativeDelta = "relative_delta"
  }

  public var key: String
  public var comparison: Comparison
  public var threshold: Double
  public var quantity: Quantity
  /// The text as given.
  public var text: String

  /// The threshold is a percentage of the first run's value.
  public var relative: Bool { quantity == .relativeDelta }

  static let usage = "expected KEY OP NUMBER (the value itself, e.g. 'acc < 0.7') or "
    + "delta(KEY) OP NUMBER[%] (the change against the first run, e.g. 'delta(acc) < -0.01' "
    + "or 'delta(forgetting) > 5%'); OP is one of < <= > >= = !="

  /// Parses conditions joined with commas.
  public static func parseList(_ text: String) throws -> [FailCondition] {
    try text.split(separator: ",").map { try parse(String($0)) }
  }

  /// Parses one `KEY OP NUMBER` or `delta(KEY) OP NUMBER[%]`.
  public static func parse(_ text: String) throws -> FailCondition {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    func failure(_ what: String) -> ExperimentError {
      ExperimentError(.invalidRequest, "--fail-if '\(text)': \(what); \(usage)")
    }
    guard let comparison = Comparison.allCases.first(where: { trimmed.contains($0.rawValue) }),
      let range = trimmed.range(of: comparison.rawValue)
    else { throw failure("no comparison operator") }
    var side = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
    var value = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
    var quantity = Quantity.value
    for function in ["delta", "value"] where side.hasPrefix(function + "(") && side.hasSuffix(")") {
      side = String(side.dropFirst(function.count + 1).dropLast())
        .trimmingCharacters(in: .whitespaces)
      quantity = function == "delta" ? .delta : .value
    }
    let key = side
    guard !key.isEmpty, !key.contains(where: { " <>=!()%".contains($0) }) else {
      throw failure("missing metric name")
    }
    if value.hasSuffix("%") {
      guard quantity == .delta else {
        throw ExperimentError(
          .invalidRequest,
          "--fail-if '\(text)': a percentage compares a change; write 'delta(\(key)) "
            + "\(comparison.rawValue) \(value)' (a bare \(key) now compares the value itself, "
            + "not its change against the first run)")
      }
      value.removeLast()
      quantity = .relativeDelta
    }
    guard let threshold = Double(value.trimmingCharacters(in: .whitespaces)), threshold.isFinite
    else { throw failure("'\(value)' is not a number") }
    return FailCondition(
      key: key, comparison: comparison, threshold: threshold, quantity: quantity, text: trimmed)
  }

  /// The compared quantity for one run (its value, delta, or relative delta in percent);
  /// nil when it was not measured (nil or NaN) or is relative to a zero base.
  public func measure(value: Double?, base: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    if quantity == .value { return value }
    guard let base, base.isFinite else { return nil }
    let delta = value - base
    guard quantity == .relativeDelta else { return delta }
    guard base != 0 else { return nil }
    return delta / abs(base) * 100
  }
}
