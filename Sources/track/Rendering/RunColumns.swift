import Experiments
import Foundation
import Tracking

/// The columns of `track runs`: fixed run fields, summary metrics and parameters.
enum RunColumns {
  /// Fields every run has.
  static let fixed = ["id", "uuid", "name", "experiment", "status", "created", "duration", "from"]
  /// Summary metrics shown first when present, in this order.
  static let headline = ["acc", "bwt", "fwt", "forgetting"]

  /// id, name, experiment, status, created, duration, then the summary metrics runs have.
  static func defaults(for runs: [RunSummary]) -> [String] {
    var columns = ["id", "name", "experiment", "status", "created", "duration"]
    let keys = Set(runs.flatMap { $0.summary.keys })
    columns += headline.filter(keys.contains)
    if columns.count == 6 { columns += keys.sorted().prefix(4) }
    return columns
  }

  /// The table for `runs` with `columns`; an unknown column is a usage error. `exact` (CSV)
  /// writes numbers unrounded, durations in seconds and dates in ISO 8601.
  static func table(_ runs: [RunSummary], columns: [String], exact: Bool = false) throws -> Table {
    let paramKeys = Set(runs.flatMap { $0.params.keys })
    let summaryKeys = Set(runs.flatMap { $0.summary.keys })
    for column in columns where !fixed.contains(column) {
      let key = column.hasPrefix("params.") ? String(column.dropFirst(7)) : column
      if !runs.isEmpty, !summaryKeys.contains(key), !paramKeys.contains(key) {
        let known = fixed + summaryKeys.sorted() + paramKeys.sorted()
        throw CLIError(
          .usage, "unknown column '\(column)'; available: \(known.joined(separator: ", "))")
      }
    }
    let numeric: (String) -> Bool = { column in
      if ["id", "from"].contains(column) { return true }
      if fixed.contains(column) { return false }
      let key = column.hasPrefix("params.") ? String(column.dropFirst(7)) : column
      if summaryKeys.contains(key) { return true }
      return runs.allSatisfy { $0.params[key].map { $0.number != nil } ?? true }
    }
    var table = Table(columns: columns.map { Table.Column($0, numeric: numeric($0)) })
    for run in runs {
      table.append(columns.map { cell(run, $0, exact: exact) })
    }
    return table
  }

  /// One cell; status is colored (green finished, red failed/crashed, yellow running/killed).
  static func cell(_ run: RunSummary, _ column: String, exact: Bool = false) -> Table.Cell {
    switch column {
    case "id": return Table.Cell(String(run.id))
    case "uuid": return Table.Cell(run.uuid)
    case "name": return Table.Cell(run.name)
    case "experiment": return Table.Cell(run.experiment ?? "")
    case "status": return Table.Cell(run.status.rawValue, style: style(of: run.status))
    case "created":
      return Table.Cell(
        exact ? TimeDisplay.timestamp(run.createdAt) : TimeDisplay.short(run.createdAt))
    case "duration":
      return Table.Cell(
        exact ? TimeDisplay.secondsText(run.duration) : TimeDisplay.duration(run.duration))
    case "from": return Table.Cell(run.continuedFrom.map { String($0) } ?? "")
    default:
      let key = column.hasPrefix("params.") ? String(column.dropFirst(7)) : column
      if !column.hasPrefix("params."), let value = run.summary[key] {
        return Table.Cell(exact ? NumberFormatting.exact(value) : NumberFormatting.value(value))
      }
      return Table.Cell(run.params[key]?.description ?? "")
    }
  }

  /// The terminal color of a status.
  static func style(of status: RunStatus) -> Terminal.Style {
    switch status {
    case .finished: return .green
    case .failed, .crashed: return .red
    case .running, .killed: return .yellow
    @unknown default: return .plain
    }
  }
}
