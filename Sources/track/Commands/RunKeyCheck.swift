import Tracking

/// Rejects `--where` and `--sort` keys that no run in the store has, so a typo
/// (`--sort -acc_`, `--where 'strategy.typ = replay'`) is an error instead of a listing that
/// is silently unfiltered, unsorted or empty.
enum RunKeyCheck {
  /// Fields every run has (the filter language's fixed identifiers).
  static let fixed = [
    "id", "uuid", "name", "experiment", "status", "created", "ended", "duration", "acc", "bwt",
    "fwt", "forgetting", "host", "git_commit", "continued_from",
  ]

  /// Every identifier a filter compares.
  static func fields(of expression: RunFilter.Expression) -> [String] {
    switch expression {
    case .compare(let field, _, _): return [field]
    case .and(let left, let right), .or(let left, let right):
      return fields(of: left) + fields(of: right)
    case .not(let inner): return fields(of: inner)
    }
  }

  /// Throws a usage error naming `option` and the keys available when `key` is unknown.
  /// `runs` is every run in the store; an empty store accepts any key.
  static func check(_ keys: [String], option: String, against runs: [RunSummary]) throws {
    guard !runs.isEmpty else { return }
    let params = Set(runs.flatMap { $0.params.keys })
    let metrics = Set(runs.flatMap { $0.summary.keys })
    for key in keys where !isKnown(key, params: params, metrics: metrics) {
      var message = "\(option): no run has a field, parameter or metric '\(key)'"
      let candidates = fixed + metrics.union(params).subtracting(fixed).sorted()
      if let close = SpecDocument.closest(to: key, in: candidates) {
        message += " (did you mean '\(close)'?)"
      }
      message += "; available: \(candidates.joined(separator: ", ")), tag.KEY"
      throw CLIError(.usage, message)
    }
  }

  /// Whether the filter language can resolve `key` for some run.
  static func isKnown(_ key: String, params: Set<String>, metrics: Set<String>) -> Bool {
    if fixed.contains(key) || key.hasPrefix("tag.") { return true }
    for prefix in ["param.", "params."] where key.hasPrefix(prefix) {
      return params.contains(String(key.dropFirst(prefix.count)))
    }
    for prefix in ["metric.", "metrics."] where key.hasPrefix(prefix) {
      return metrics.contains(String(key.dropFirst(prefix.count)))
    }
    return params.contains(key) || metrics.contains(key)
  }
}
