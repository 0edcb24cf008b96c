import Experiments
import Foundation
import Tracking

/// `track diff --group A --group B` in every format.
enum GroupDiffView {
  static func write(filters: [String], store: any TrackStore, format: OutputFormat) throws {
    let names = try store.fieldNames()
    let sides = try filters.map { text -> [RunSummary] in
      let filter = try RunFilter.parse(text)
      try RunKeyCheck.check(filter.expression.fields, option: "--group", against: names)
      return try store.runs(where: filter, sort: [], limit: nil)
    }
    if let empty = zip(filters, sides).first(where: { $0.1.isEmpty }) {
      throw CLIError(.usage, "--group \(empty.0): no run matches")
    }
    let diff = GroupDiff(
      first: sides[0], second: sides[1], metrics: RunColumns.headline)
    if format == .json {
      Output.write(diff.json(filters: filters).rendered())
      return
    }
    let exact = format == .csv
    // CSV: every number exact in its own column; table and Markdown: "mean ± sd" cells.
    let titles = exact
      ? ["metric", "first_mean", "first_sd", "second_mean", "second_sd", "delta",
         "two_standard_errors", "exceeds"]
      : ["metric", "first", "second", "delta", "2·SE", "exceeds"]
    var table = Table(
      columns: titles.map { Table.Column($0, numeric: $0 != "metric" && $0 != "exceeds") })
    for row in diff.rows {
      var cells = [row.metric]
      for statistic in [row.first, row.second] {
        if exact {
          cells += [NumberFormatting.exact(statistic?.mean),
                    NumberFormatting.exact(statistic?.standardDeviation)]
        } else {
          cells.append(GroupColumns.text(statistic))
        }
      }
      cells.append(exact ? NumberFormatting.exact(row.delta) : NumberFormatting.delta(row.delta))
      cells.append(
        exact ? NumberFormatting.exact(row.twoStandardErrors)
          : NumberFormatting.value(row.twoStandardErrors))
      cells.append(row.exceeds.map { $0 ? "yes" : "no" } ?? "")
      table.append(texts: cells)
    }
    var out = ""
    if format == .table {
      out += "first: \(filters[0]) (n=\(diff.counts[0]))\n"
      out += "second: \(filters[1]) (n=\(diff.counts[1]))\n"
    }
    Output.write(out + table.rendered(format, terminal: .current))
  }
}
