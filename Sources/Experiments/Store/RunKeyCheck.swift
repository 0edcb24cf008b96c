import Tracking

/// Rejects `--where` and `--sort` keys that no run in the store has, so a typo
/// (`--sort -acc_`, `--where 'strategy.typ = replay'`) is an error instead of a listing that
/// is silently unfiltered, unsorted or empty.
public enum RunKeyCheck {
  /// Throws `.invalidRequest` naming `option` and the keys available when a key is unknown.
  /// `names` are the store's (`StoreReading.fieldNames()`); an empty store accepts any key.
  public static func check(_ keys: [String], option: String, against names: RunFieldNames) throws {
    guard !names.params.isEmpty || !names.metrics.isEmpty else { return }
    let params = names.params
    let metrics = names.metrics
    for key in keys where !isKnown(key, params: params, metrics: metrics) {
      var message = "\(option): no run has a field, parameter or metric '\(key)'"
      let candidates = RunField.fixed + metrics.union(params).subtracting(RunField.fixed).sorted()
      if let close = SpecDocument.closest(to: key, in: candidates) {
        message += " (did you mean '\(close)'?)"
      }
      message += "; available: \(candidates.joined(separator: ", ")), tag.KEY"
      throw ExperimentError(.invalidRequest, message)
    }
  }

  /// Whether the filter language can resolve `key` for some run.
  static func isKnown(_ key: String, params: Set<String>, metrics: Set<String>) -> Bool {
    switch RunField(key) {
    case .column, .summary, .tag: return true
    case .param(let name): return params.contains(name)
    case .metric(let name): return metrics.contains(name)
    case .paramOrMetric(let name): return params.contains(name) || metrics.contains(name)
    }
  }
}
