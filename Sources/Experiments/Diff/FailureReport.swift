import Foundation
import Tracking

/// The outcome of one `--fail-if` condition for one later run of a diff.
public struct FailureReport {
  public var condition: FailCondition
  public var run: Run
  /// The compared quantity; nil when it was not measured (then the condition is violated:
  /// a gate must not pass on a number nobody measured).
  public var measured: Double?
  public var violated: Bool

  /// Every condition against every later run of `diff`; a key no run has is a usage error.
  public static func evaluate(_ conditions: [FailCondition], in diff: RunDiff) throws
    -> [FailureReport]
  {
    var reports: [FailureReport] = []
    for condition in conditions {
      guard let row = diff.numbers(for: condition.key) else {
        let known = (diff.summary + diff.metrics).map(\.key)
        throw ExperimentError(
          .invalidRequest, "--fail-if '\(condition.text)': no run has a metric "
            + "'\(condition.key)'; available: \(known.joined(separator: ", "))")
      }
      for index in diff.runs.indices.dropFirst() {
        let measured = condition.measure(value: row.values[index], base: row.values[0])
        let violated = measured.map { condition.comparison.holds($0, condition.threshold) } ?? true
        reports.append(
          FailureReport(
            condition: condition, run: diff.runs[index], measured: measured, violated: violated))
      }
    }
    return reports
  }

  /// Conditions that compare a value and can never hold on these runs' values, though they
  /// would as a delta: most likely a gate written before a bare KEY meant the value
  /// (`acc < -0.01`). One note per such condition, for standard error.
  public static func notes(_ conditions: [FailCondition], in diff: RunDiff) -> [String] {
    conditions.compactMap { condition in
      guard condition.quantity == .value, condition.threshold < 0,
        [.less, .lessOrEqual].contains(condition.comparison),
        let row = diff.numbers(for: condition.key)
      else { return nil }
      let values = row.values.compactMap { $0 }.filter(\.isFinite)
      guard !values.isEmpty, values.allSatisfy({ $0 >= 0 }) else { return nil }
      return "note: --fail-if '\(condition.text)' compares \(condition.key) itself, which is "
        + "never negative here; for its change against the first run write "
        + "'delta(\(condition.key)) \(condition.comparison.rawValue) "
        + "\(JSONValue.format(condition.threshold))'"
    }
  }

  /// A line for standard error.
  public var message: String {
    let head = "--fail-if '\(condition.text)' violated by run #\(run.id) \(run.name): "
    guard let measured else {
      let base = condition.quantity == .value ? "" : " (in this run or the first)"
      let zero = condition.quantity == .relativeDelta ? " or the first run's value is 0" : ""
      return head + "\(condition.key) was not measured\(base)\(zero), which counts as a failure"
    }
    switch condition.quantity {
    case .value: return head + "\(condition.key) is \(NumberFormatting.value(measured))"
    case .delta: return head + "\(condition.key) change \(NumberFormatting.delta(measured))"
    case .relativeDelta:
      return head + "\(condition.key) relative change " + String(format: "%+.1f%%", measured)
    }
  }

  /// The `fail_if` entry of `track diff --format json`.
  public var json: JSONValue {
    .object([
      ("condition", .string(condition.text)), ("run", .integer(run.id)),
      ("key", .string(condition.key)), ("compares", .string(condition.quantity.rawValue)),
      ("measured", .number(measured)), ("violated", .bool(violated)),
    ])
  }
}
