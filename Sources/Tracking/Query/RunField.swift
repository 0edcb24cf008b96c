import Foundation

/// What an identifier in a filter or sort refers to: the one reading of the filter
/// language's names, shared by every backend (which compiles it) and by front ends (which
/// check that some run has the field).
public enum RunField: Equatable, Sendable {
  /// A column every run has (`id`, `name`, `status`, `duration`, ...). `lifecycle` is
  /// `active` or `deleted` (in the trash); `created_at` and `ended_at` are Unix seconds.
  case column(String)
  /// A matrix summary (`acc`, `bwt`, `fwt`, `forgetting`): from the run's first matrix, or,
  /// for a run without one, the latest value of a metric of that name.
  case summary(String)
  /// `tag.KEY`.
  case tag(String)
  /// `param.KEY` (or `params.KEY`).
  case param(String)
  /// `metric.KEY` (or `metrics.KEY`): the latest value.
  case metric(String)
  /// A bare KEY: a param of that name, else the latest value of the metric of that name.
  case paramOrMetric(String)

  /// Columns every run has.
  public static let columns = [
    "id", "uuid", "name", "experiment", "status", "created", "ended", "duration", "host",
    "git_commit", "continued_from", "experiment_id", "lifecycle", "created_at", "ended_at",
  ]
  /// The matrix summaries.
  public static let summaries = ["acc", "bwt", "fwt", "forgetting"]
  /// Every fixed identifier, in the order help and errors list them.
  public static let fixed = Array(columns[..<8]) + summaries + Array(columns[8...])

  /// The reading of `name`.
  public init(_ name: String) {
    if RunField.columns.contains(name) {
      self = .column(name)
    } else if RunField.summaries.contains(name) {
      self = .summary(name)
    } else if let key = name.dropPrefix("tag.") {
      self = .tag(key)
    } else if let key = name.dropPrefix("param.") ?? name.dropPrefix("params.") {
      self = .param(key)
    } else if let key = name.dropPrefix("metric.") ?? name.dropPrefix("metrics.") {
      self = .metric(key)
    } else {
      self = .paramOrMetric(name)
    }
  }
}

extension RunFilter.Expression {
  /// Every identifier the expression compares, left to right.
  public var fields: [String] {
    switch self {
    case .compare(let field, _, _): return [field]
    case .and(let left, let right), .or(let left, let right): return left.fields + right.fields
    case .not(let inner): return inner.fields
    }
  }
}

extension String {
  /// The rest after `prefix`, when the string starts with it and the rest is non-empty.
  func dropPrefix(_ prefix: String) -> String? {
    guard hasPrefix(prefix), count > prefix.count else { return nil }
    return String(dropFirst(prefix.count))
  }
}
