import Foundation
import Tracking

/// The mean and spread of one metric over the runs of a group.
public struct GroupStatistic: Equatable, Sendable {
  /// Runs of the group that have the metric.
  public var count: Int
  /// Arithmetic mean.
  public var mean: Double
  /// Sample standard deviation (n − 1 in the denominator; nil for a single run).
  public var standardDeviation: Double?

  /// The statistic of `values` (nil when there are none).
  public init?(_ values: [Double]) {
    guard !values.isEmpty else { return nil }
    count = values.count
    mean = values.reduce(0, +) / Double(values.count)
    if values.count > 1 {
      let m = mean
      let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      standardDeviation = (squares / Double(values.count - 1)).squareRoot()
    } else {
      standardDeviation = nil
    }
  }
}

/// Runs that share the values of the grouping keys (`track runs --group-by`).
public struct RunGroup: Equatable, Sendable {
  /// The group's value of each grouping key, in the keys' order ("" when a run lacks it).
  public var values: [String]
  /// The runs of the group, in listing order.
  public var runs: [RunID]
  /// Mean and spread of each metric that at least one run of the group has.
  public var statistics: [String: GroupStatistic]
}

/// Groups runs by parameters or run fields and summarises each group's metrics: a
/// continual-learning result is a mean over seeds with its spread.
///
/// ```swift
/// let groups = RunGrouping.groups(runs, by: ["strategy.type", "strategy.memory_size"],
///                                 metrics: ["acc", "bwt"])
/// print(groups[0].values, groups[0].statistics["acc"]?.mean ?? 0)
/// ```
public enum RunGrouping {
  /// Run fields a group can be keyed by besides parameters.
  public static let fields = ["experiment", "status", "name"]

  /// The groups of `runs` by `keys`, sorted by their values (numbers as numbers), each with
  /// the statistics of `metrics` (summary metrics such as acc, or any latest metric value).
  public static func groups(_ runs: [RunSummary], by keys: [String], metrics: [String])
    -> [RunGroup]
  {
    var order: [[String]] = []
    var members: [[String]: [RunSummary]] = [:]
    for run in runs {
      let values = keys.map { value(of: $0, in: run) }
      if members[values] == nil { order.append(values) }
      members[values, default: []].append(run)
    }
    let sorted = order.sorted { lhs, rhs in
      for (a, b) in zip(lhs, rhs) where a != b { return precedes(a, b) }
      return false
    }
    return sorted.map { values in
      let group = members[values] ?? []
      var statistics: [String: GroupStatistic] = [:]
      for metric in metrics {
        let found = group.compactMap { $0.summary[metric] }.filter { !$0.isNaN }
        if let statistic = GroupStatistic(found) { statistics[metric] = statistic }
      }
      return RunGroup(values: values, runs: group.map(\.id), statistics: statistics)
    }
  }

  /// The text a run has for a grouping key: a run field, or a parameter ("params." prefix
  /// optional); "" when it has none.
  public static func value(of key: String, in run: RunSummary) -> String {
    switch key {
    case "experiment": return run.experiment ?? ""
    case "status": return run.status.rawValue
    case "name": return run.name
    default:
      let param = key.hasPrefix("params.") ? String(key.dropFirst(7)) : key
      return run.params[param]?.description ?? ""
    }
  }

  /// Numbers in numeric order before text in text order; the empty value last.
  static func precedes(_ a: String, _ b: String) -> Bool {
    if a.isEmpty != b.isEmpty { return b.isEmpty }
    switch (Double(a), Double(b)) {
    case let (x?, y?): return x < y
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil): return a < b
    }
  }
}

extension RunGroup {
  /// The stable JSON shape of a group (`track runs --group-by … --format json`):
  /// `{"group": {key: value…}, "n": runs, "runs": [ids], "metrics": {name: {"n", "mean",
  /// "sd"}}}`, the metrics in the order asked for; a value a run lacks is null, `sd` is null
  /// for a single run.
  public func json(keys: [String], metrics: [String]) -> JSONValue {
    let group = zip(keys, values).map { key, value -> (String, JSONValue) in
      (key, value.isEmpty ? .null : .string(value))
    }
    let statistics = metrics.compactMap { metric -> (String, JSONValue)? in
      guard let statistic = self.statistics[metric] else { return nil }
      return (
        metric,
        .object([
          ("n", .integer(Int64(statistic.count))), ("mean", .number(statistic.mean)),
          ("sd", .number(statistic.standardDeviation)),
        ])
      )
    }
    return .object([
      ("group", .object(group)), ("n", .integer(Int64(runs.count))),
      ("runs", .array(runs.map { .integer($0) })), ("metrics", .object(statistics)),
    ])
  }
}
