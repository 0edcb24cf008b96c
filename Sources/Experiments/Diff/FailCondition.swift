import Foundation

/// A `--fail-if` threshold such as `acc < -0.01` or `forgetting > 5%`: compared with the
/// delta of each run against the first (a trailing % compares the relative delta).
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

  public var key: String
  public var comparison: Comparison
  public var threshold: Double
  /// The threshold is a percentage of the first run's value.
  public var relative: Bool
  /// The text as given.
  public var text: String

  /// Parses `KEY OP NUMBER[%]`; several conditions may be joined with commas.
  public static func parseList(_ text: String) throws -> [FailCondition] {
    try text.split(separator: ",").map { try parse(String($0)) }
  }

  /// Parses one `KEY OP NUMBER[%]`.
  public static func parse(_ text: String) throws -> FailCondition {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let usage = "expected KEY OP NUMBER, e.g. 'acc < -0.01' or 'forgetting > 5%' "
      + "(OP is one of < <= > >= = !=)"
    for comparison in Comparison.allCases {
      guard let range = trimmed.range(of: comparison.rawValue) else { continue }
      let key = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
      var value = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
      let relative = value.hasSuffix("%")
      if relative { value.removeLast() }
      guard !key.isEmpty, !key.contains(where: { " <>=!".contains($0) }) else {
        throw ExperimentError(.invalidRequest, "--fail-if '\(text)': missing metric name; \(usage)")
      }
      guard let threshold = Double(value.trimmingCharacters(in: .whitespaces)),
        threshold.isFinite
      else {
        throw ExperimentError(.invalidRequest, "--fail-if '\(text)': '\(value)' is not a number; \(usage)")
      }
      return FailCondition(
        key: key, comparison: comparison, threshold: threshold, relative: relative, text: trimmed)
    }
    throw ExperimentError(.invalidRequest, "--fail-if '\(text)': no comparison operator; \(usage)")
  }

  /// The compared quantity for one run: its delta (or relative delta in percent).
  public func measure(value: Double?, base: Double?) -> Double? {
    guard let value, let base else { return nil }
    let delta = value - base
    guard relative else { return delta }
    guard base != 0 else { return nil }
    return delta / abs(base) * 100
  }
}
