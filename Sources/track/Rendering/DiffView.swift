import Experiments
import Foundation
import Tracking

/// `track diff` as sections of tables, long-form CSV or one JSON object.
struct DiffView {
  /// Which sections to print (`--only`).
  enum Section: String, CaseIterable {
    case params, metrics, matrix
  }

  var diff: RunDiff
  var sections: [Section]

  /// Column title of run k: its name, or "#id" when names repeat.
  var runTitles: [String] {
    let names = diff.runs.map(\.name)
    let unique = Set(names).count == names.count
    return diff.runs.map { unique ? $0.name : "#\($0.id) \($0.name)" }
  }

  /// Titled tables in order.
  func tables() -> [(String, Table)] {
    var out: [(String, Table)] = []
    if sections.contains(.params) {
      var table = Table(
        columns: [Table.Column("param")] + runTitles.map { Table.Column($0) }
          + [Table.Column("change")])
      for row in diff.params {
        table.append(
          [Table.Cell(row.key)] + row.values.map { Table.Cell($0?.description ?? "—") }
            + [Table.Cell(row.change.rawValue, style: style(of: row.change))])
      }
      out.append(("Parameters that differ (\(diff.params.count))", table))
    }
    if sections.contains(.metrics) {
      if !diff.summary.isEmpty { out.append(("Summary", numbers(diff.summary, title: "metric"))) }
      out.append(("Final metric values", numbers(diff.metrics, title: "metric")))
    }
    if sections.contains(.matrix), !diff.matrix.isEmpty {
      let metric = diff.matrixMetric.map { " \($0)" } ?? ""
      for index in diff.runs.indices.dropFirst() {
        let title = "Matrix Δ\(metric) R[i][j]: \(runTitles[index]) − \(runTitles[0])"
        out.append((title, matrixDeltas(run: index)))
      }
    }
    return out
  }

  /// The matrix of deltas of run `index` against the first, as a grid like `track matrix`.
  func matrixDeltas(run index: Int) -> Table {
    let taskCount = diff.matrix.map(\.task).max() ?? 0
    let labels = Heatmap.labels(
      Array(diff.taskNames.prefix(max(taskCount, 1))), taskCount: max(taskCount, 1))
    var table = Table(
      columns: [Table.Column("after")] + labels.map { Table.Column($0, numeric: true) })
    let rows = Dictionary(grouping: diff.matrix, by: \.trainedThrough)
    for trainedThrough in rows.keys.sorted() {
      let label =
        trainedThrough == 0
        ? "baseline"
        : trainedThrough <= labels.count ? labels[trainedThrough - 1] : "task \(trainedThrough)"
      var cells = [Table.Cell(label)]
      let byTask = Dictionary(
        (rows[trainedThrough] ?? []).map { ($0.task, $0) }, uniquingKeysWith: { a, _ in a })
      for task in 1...max(taskCount, 1) {
        let delta = byTask[task].flatMap { $0.row.deltas[index] }
        let shown = byTask[task] == nil ? "" : (delta.map(NumberFormatting.delta) ?? "—")
        cells.append(Table.Cell(shown, style: style(of: delta, key: "matrix")))
      }
      table.append(cells)
    }
    return table
  }

  /// Value per run, then delta and relative delta of each later run against the first.
  func numbers(_ rows: [RunDiff.NumberRow], title: String) -> Table {
    var columns = [Table.Column(title), Table.Column(runTitles[0], numeric: true)]
    for name in runTitles.dropFirst() {
      columns += [
        Table.Column(name, numeric: true), Table.Column("Δ", numeric: true),
        Table.Column("Δ%", numeric: true),
      ]
    }
    var table = Table(columns: columns)
    for row in rows {
      // A value not measured (missing or NaN) reads `—`, as everywhere in tables.
      var cells = [Table.Cell(row.key), Table.Cell(NumberFormatting.score(row.values[0]))]
      let deltas = row.deltas
      for index in row.values.indices.dropFirst() {
        let delta = deltas[index]
        cells += [
          Table.Cell(NumberFormatting.score(row.values[index])),
          Table.Cell(NumberFormatting.delta(delta), style: style(of: delta, key: row.key)),
          Table.Cell(NumberFormatting.relative(delta, base: row.values[0])),
        ]
      }
      table.append(cells)
    }
    return table
  }

  /// Green for an improvement, red for a regression (forgetting and losses: lower is better).
  func style(of delta: Double?, key: String) -> Terminal.Style {
    guard let delta, delta != 0 else { return .plain }
    let lowerIsBetter = key == "forgetting" || key.contains("loss") || key.contains("error")
      || key.hasSuffix("mse")
    return (delta > 0) != lowerIsBetter ? .green : .red
  }

  func style(of change: RunDiff.Change) -> Terminal.Style {
    switch change {
    case .changed: return .yellow
    case .added: return .green
    case .removed: return .red
    }
  }

  /// Aligned text with bold titles.
  func text(terminal: Terminal) -> String {
    var out = terminal.styled("Comparing " + runList, .bold) + "\n"
    for (title, table) in tables() {
      // A header with no rows under it reads like a rendering bug: say there is nothing.
      let body = table.rows.isEmpty ? "(none)\n" : table.aligned(terminal: terminal)
      out += "\n" + terminal.styled(title, .bold) + "\n" + body
    }
    return out
  }

  /// "#1 naive, #2 replay" for headings.
  var runList: String {
    diff.runs.map { "#\($0.id) \($0.name)" }.joined(separator: " vs ")
  }

  /// Markdown headings and tables.
  func markdown() -> String {
    var out = "## Comparing \(runList)\n"
    for (title, table) in tables() {
      out += "\n### \(title)\n\n" + (table.rows.isEmpty ? "(none)\n" : table.markdown())
    }
    return out
  }

  /// Long form: section,key,run,value,delta,relative,change — one line per value.
  func csv() -> String {
    let titles = ["section", "key", "run", "value", "delta", "relative", "change"]
    var table = Table(columns: titles.map { Table.Column($0) })
    if sections.contains(.params) {
      for row in diff.params {
        for (index, value) in row.values.enumerated() {
          table.append(texts: [
            "param", row.key, diff.runs[index].name, value?.description ?? "", "", "",
            index == 0 ? "" : row.change.rawValue,
          ])
        }
      }
    }
    func add(_ section: String, _ rows: [RunDiff.NumberRow]) {
      for row in rows {
        let deltas = row.deltas
        for (index, value) in row.values.enumerated() {
          // Exact numbers for programs (the table rounds for people); relative is a
          // fraction, as in the JSON.
          var relative: Double?
          if let delta = deltas[index], let base = row.values[0], base != 0 {
            relative = delta / abs(base)
          }
          table.append(texts: [
            section, row.key, diff.runs[index].name, NumberFormatting.exact(value),
            NumberFormatting.exact(deltas[index]), NumberFormatting.exact(relative), "",
          ])
        }
      }
    }
    if sections.contains(.metrics) {
      add("summary", diff.summary)
      add("metric", diff.metrics)
    }
    if sections.contains(.matrix) { add("matrix", diff.matrix.map(\.row)) }
    return table.csv()
  }

  /// The stable JSON object (docs/cli.md).
  func json(failures: [FailureReport]) -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("runs", .array(diff.runs.map(RunJSON.reference)))
    ]
    if sections.contains(.params) {
      members.append(("params", .array(diff.params.map { row in
        .object([
          ("key", .string(row.key)),
          ("values", .array(row.values.map { $0.map(RunJSON.param) ?? .null })),
          ("change", .string(row.change.rawValue)),
        ])
      })))
    }
    if sections.contains(.metrics) {
      members.append(("summary", .array(diff.summary.map(DiffView.json))))
      members.append(("metrics", .array(diff.metrics.map(DiffView.json))))
    }
    if sections.contains(.matrix) {
      members.append(("matrix", .array(diff.matrix.map { cell in
        .object([
          ("trained_through", .integer(Int64(cell.trainedThrough))),
          ("task", .integer(Int64(cell.task))),
          ("values", .array(cell.values.map { .number($0) })),
          ("deltas", .array(cell.row.deltas.map { .number($0) })),
        ])
      })))
    }
    members.append(("fail_if", .array(failures.map(\.json))))
    return .object(members)
  }

  static func json(_ row: RunDiff.NumberRow) -> JSONValue {
    let deltas = row.deltas
    return .object([
      ("key", .string(row.key)),
      ("values", .array(row.values.map { .number($0) })),
      ("deltas", .array(deltas.map { .number($0) })),
      ("relative", .array(deltas.map { delta in
        guard let delta, let base = row.values[0], base != 0 else { return .null }
        return .number(delta / abs(base))
      })),
    ])
  }
}
