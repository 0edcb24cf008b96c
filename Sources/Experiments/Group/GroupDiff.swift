import Foundation
import Tracking

/// Two groups of runs compared metric by metric (`track diff --group A --group B`): the
/// means, their difference, and whether it exceeds the spread.
///
/// The difference B − A of the means exceeds the spread when |Δ| > 2 · SE, with the
/// standard error of a difference of means SE = √(s_A²/n_A + s_B²/n_B) (Welch): about a
/// 95 % interval that leaves out 0. With fewer than 2 runs on a side there is no spread to
/// compare with, and `exceeds` is nil.
public struct GroupDiff: Equatable, Sendable {
  /// One metric of both groups.
  public struct Row: Equatable, Sendable {
    public var metric: String
    public var first: GroupStatistic?
    public var second: GroupStatistic?
    /// Mean of the second group − mean of the first.
    public var delta: Double?
    /// 2 · SE of the difference (nil without a spread on both sides).
    public var twoStandardErrors: Double?
    /// |delta| > 2 · SE (nil when that cannot be said).
    public var exceeds: Bool?
  }

  /// Runs in each group.
  public var counts: [Int]
  /// One row per metric, in the order asked for.
  public var rows: [Row]

  /// Compares `metrics` of `first` and `second`.
  public init(first: [RunSummary], second: [RunSummary], metrics: [String]) {
    counts = [first.count, second.count]
    func statistic(_ runs: [RunSummary], _ metric: String) -> GroupStatistic? {
      GroupStatistic(runs.compactMap { $0.summary[metric] }.filter { !$0.isNaN })
    }
    rows = metrics.map { metric in
      let a = statistic(first, metric), b = statistic(second, metric)
      var row = Row(metric: metric, first: a, second: b)
      if let a, let b {
        row.delta = b.mean - a.mean
        if let sa = a.standardDeviation, let sb = b.standardDeviation {
          let se = (sa * sa / Double(a.count) + sb * sb / Double(b.count)).squareRoot()
          row.twoStandardErrors = 2 * se
          row.exceeds = abs(b.mean - a.mean) > 2 * se
        }
      }
      return row
    }
  }

  /// The stable JSON shape: `{"groups": [{"where", "n"}…], "metrics": [{"metric", "first",
  /// "second", "delta", "two_standard_errors", "exceeds"}…]}`, each side `{"n", "mean", "sd"}`.
  public func json(filters: [String]) -> JSONValue {
    func side(_ statistic: GroupStatistic?) -> JSONValue {
      guard let statistic else { return .null }
      return .object([
        ("n", .integer(Int64(statistic.count))), ("mean", .number(statistic.mean)),
        ("sd", .number(statistic.standardDeviation)),
      ])
    }
    let groups = zip(filters, counts).map { filter, count in
      JSONValue.object([("where", .string(filter)), ("n", .integer(Int64(count)))])
    }
    let metrics = rows.map { row in
      JSONValue.object([
        ("metric", .string(row.metric)), ("first", side(row.first)),
        ("second", side(row.second)), ("delta", .number(row.delta)),
        ("two_standard_errors", .number(row.twoStandardErrors)),
        ("exceeds", row.exceeds.map { .bool($0) } ?? .null),
      ])
    }
    return .object([("groups", .array(groups)), ("metrics", .array(metrics))])
  }
}
