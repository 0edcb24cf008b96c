import Experiments
/// The accuracy matrix R as a table whose cells are colored by value on a terminal.
///
/// Rows are "after task i" (row 0 is the untrained baseline b), columns are tasks 1...T.
/// Colors run red (lowest cell) to green (highest) over a 256-color ramp; without a color
/// terminal the same table prints plain, so pipes and tests see only the numbers.
enum Heatmap {
  /// Red -> yellow -> green in the xterm 256-color cube.
  private static let ramp = [196, 202, 208, 214, 220, 226, 190, 154, 118, 82, 46]

  /// The table for `rows` (index = trained-through, 0 = baseline), `taskCount` columns.
  /// `exact` (for CSV) writes full-precision numbers and leaves unmeasured cells empty
  /// instead of the 4-decimal display and `—`.
  /// `taskNames` (for tables people read) title the columns and rows by task name when
  /// every name is short (years of a time-series stream), else they read `task N`.
  /// `columns` keeps only the first tasks (a matrix too wide for the terminal).
  static func table(
    rows: [Int: [Double]], taskCount: Int, terminal: Terminal, exact: Bool = false,
    taskNames: [String] = [], columns shown: Int? = nil
  ) -> Table {
    let labels = labels(taskNames, taskCount: taskCount)
    let columnCount = min(shown ?? taskCount, taskCount)
    var table = Table(
      columns: [Table.Column("after")]
        + (0..<columnCount).map { Table.Column(labels[$0], numeric: true) })
    let values = rows.values.flatMap { $0 }.filter(\.isFinite)
    let low = values.min() ?? 0
    let high = values.max() ?? 0
    for index in rows.keys.sorted() {
      let row = rows[index] ?? []
      let label = index == 0 ? "baseline" : index <= labels.count ? labels[index - 1] : "task \(index)"
      var cells = [Table.Cell(label)]
      for column in 0..<columnCount {
        guard column < row.count else {
          cells.append("")
          continue
        }
        let value = row[column]
        guard !value.isNaN else {
          // Not measured (a run continued on a longer stream).
          cells.append(Table.Cell(exact ? "" : NumberFormatting.notMeasured))
          continue
        }
        if exact {
          cells.append(Table.Cell(JSONValue.format(value)))
          continue
        }
        cells.append(
          Table.Cell(NumberFormatting.value(value), style: style(value, low: low, high: high)))
      }
      table.append(cells)
    }
    return table
  }

  /// The longest task name used as a column title.
  static let longestTaskLabel = 10

  /// "task 1"..."task T", or the task names when there is one per task and each is short.
  static func labels(_ names: [String], taskCount: Int) -> [String] {
    let fallback = (0..<taskCount).map { "task \($0 + 1)" }
    guard names.count == taskCount, Set(names).count == names.count,
      names.allSatisfy({ !$0.isEmpty && $0.count <= longestTaskLabel })
    else { return fallback }
    return names
  }

  /// The heatmap with as many task columns as fit in `width` (at least one), and how many
  /// that is.
  static func fitting(
    rows: [Int: [Double]], taskCount: Int, terminal: Terminal, taskNames: [String], width: Int
  ) -> (Table, Int) {
    var shown = taskCount
    while true {
      let table = Heatmap.table(
        rows: rows, taskCount: taskCount, terminal: terminal, taskNames: taskNames,
        columns: shown)
      if shown <= 1 || table.width <= width { return (table, shown) }
      shown -= 1
    }
  }

  /// The background color of one cell.
  static func style(_ value: Double, low: Double, high: Double) -> Terminal.Style {
    guard value.isFinite else { return .plain }
    let position = high > low ? (value - low) / (high - low) : 1
    let index = Int((position * Double(ramp.count - 1)).rounded())
    return .background(ramp[min(max(index, 0), ramp.count - 1)])
  }
}
