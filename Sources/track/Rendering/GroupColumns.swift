import Experiments
import Foundation
import Tracking

/// The table of `track runs --group-by`: the grouping keys, n, then mean ± sd per metric.
enum GroupColumns {
  /// The metric columns: the headline summaries the runs have, then `extra` (the
  /// `--columns` the user chose), each once.
  static func metrics(for runs: [RunSummary], extra: [String]) throws -> [String] {
    let known = Set(runs.flatMap { $0.summary.keys })
    for column in extra where !runs.isEmpty && !known.contains(column) {
      throw CLIError(
        .usage,
        "unknown metric column '\(column)' for --group-by; available: "
          + known.sorted().joined(separator: ", "))
    }
    var out = RunColumns.headline.filter(known.contains)
    for column in extra where !out.contains(column) { out.append(column) }
    return out
  }

  /// People's table (and Markdown): "mean ± sd" cells; CSV (`exact`): a mean and an sd
  /// column per metric, numbers unrounded.
  static func table(_ groups: [RunGroup], keys: [String], metrics: [String], exact: Bool)
    -> Table
  {
    var columns = keys.map { Table.Column($0) } + [Table.Column("n", numeric: true)]
    for metric in metrics {
      if exact {
        columns += [Table.Column("\(metric)_mean", numeric: true),
                    Table.Column("\(metric)_sd", numeric: true)]
      } else {
        columns.append(Table.Column(metric, numeric: true))
      }
    }
    var table = Table(columns: columns)
    for group in groups {
      let none = exact ? "" : NumberFormatting.notMeasured
      var row = group.values.map { Table.Cell($0.isEmpty ? none : $0) }
      row.append(Table.Cell(String(group.runs.count)))
      for metric in metrics {
        let statistic = group.statistics[metric]
        if exact {
          row.append(Table.Cell(NumberFormatting.exact(statistic?.mean)))
          row.append(Table.Cell(NumberFormatting.exact(statistic?.standardDeviation)))
        } else {
          row.append(Table.Cell(text(statistic)))
        }
      }
      table.append(row)
    }
    return table
  }

  /// "0.8123 ± 0.0042", the mean alone for one run, "—" when no run has the metric.
  static func text(_ statistic: GroupStatistic?) -> String {
    guard let statistic else { return NumberFormatting.notMeasured }
    let mean = NumberFormatting.value(statistic.mean)
    guard let sd = statistic.standardDeviation else { return mean }
    // The spread to the mean's 4 decimals: rounding noise (1e-17) reads as 0.0000.
    let spread = abs(sd) < 1e-4 ? String(format: "%.4f", sd) : NumberFormatting.value(sd)
    return "\(mean) ± \(spread)"
  }
}
