import Experiments
import Foundation
import Tracking

/// `track show`: one run as sections (table, md), long-form CSV, or one JSON object.
struct ShowView {
  var report: RunReport

  /// How the matrix section's title starts.
  static let matrixTitle = "Matrix R[i][j]"

  /// The run's header fields in display order.
  var header: [(String, String)] {
    let run = report.run
    var fields: [(String, String)] = [
      ("id", String(run.id)), ("uuid", run.uuid), ("name", run.name),
      ("experiment", run.experiment ?? ""), ("status", run.status.rawValue),
      ("created", TimeDisplay.timestamp(run.createdAt)),
      ("duration", TimeDisplay.duration(run.duration)),
    ]
    if let from = run.continuedFrom { fields.append(("continued from", String(from))) }
    if let command = run.command, !TimeDisplay.stable { fields.append(("command", command)) }
    if let commit = run.gitCommit, !TimeDisplay.stable { fields.append(("git commit", commit)) }
    fields.append(("knowledge base", "\(report.knowledgeCount) samples"))
    return fields
  }

  /// Titled tables, in order, for the table and Markdown formats; with `width`, the matrix
  /// keeps only the task columns that fit (see `matrixNote`).
  func sections(terminal: Terminal, width: Int? = nil) -> [(String, Table)] {
    var out: [(String, Table)] = []
    var params = Table(columns: [Table.Column("param"), Table.Column("value")])
    for param in report.params { params.append(texts: [param.key, param.value.description]) }
    if !report.params.isEmpty { out.append(("Parameters", params)) }
    if !report.tags.isEmpty {
      var tags = Table(columns: [Table.Column("tag"), Table.Column("value")])
      for key in report.tags.keys.sorted() { tags.append(texts: [key, report.tags[key] ?? ""]) }
      out.append(("Tags", tags))
    }
    if !report.summary.isEmpty {
      var summary = Table(columns: [Table.Column("summary"), Table.Column("value", numeric: true)])
      for (key, value) in report.summary {
        summary.append(texts: [key, NumberFormatting.score(value)])
      }
      out.append(("Summary (\(report.matrix.metric))", summary))
    }
    if !report.tasks.isEmpty {
      var tasks = Table(columns: [
        Table.Column("task", numeric: true), Table.Column("name"),
        Table.Column("train", numeric: true), Table.Column("test", numeric: true),
        Table.Column("classes"),
      ])
      for task in report.tasks {
        tasks.append(texts: [
          String(task.index), task.name, String(task.trainSize), String(task.testSize),
          task.classes.map(String.init).joined(separator: " "),
        ])
      }
      out.append(("Tasks", tasks))
    }
    if report.matrix.taskCount > 0 {
      out.append((
        ShowView.matrixTitle
          + " (\(report.matrix.metric) on task j after training through task i)",
        matrixTable(terminal: terminal, width: width).0
      ))
    }
    if !report.latestMetrics.isEmpty {
      out.append(("Metrics", metricsTable()))
    }
    if !report.checkpoints.isEmpty {
      var checkpoints = Table(columns: [
        Table.Column("task", numeric: true), Table.Column("epoch", numeric: true),
        Table.Column("kind"), Table.Column("size", numeric: true), Table.Column("sha256"),
      ])
      for checkpoint in report.checkpoints {
        checkpoints.append(texts: [
          String(checkpoint.task), checkpoint.epoch.map(String.init) ?? "", checkpoint.kind,
          NumberFormatting.bytes(checkpoint.size), String(checkpoint.sha256.prefix(12)),
        ])
      }
      out.append(("Checkpoints", checkpoints))
    }
    return out
  }

  /// The heatmap, cut to the task columns that fit in `width` when given, and how many
  /// columns it shows.
  func matrixTable(terminal: Terminal, width: Int?) -> (Table, Int) {
    let matrix = report.matrix
    let names = report.tasks.sorted { $0.index < $1.index }.map(\.name)
    guard let width else {
      let table = Heatmap.table(
        rows: matrix.rows, taskCount: matrix.taskCount, terminal: terminal, taskNames: names)
      return (table, matrix.taskCount)
    }
    return Heatmap.fitting(
      rows: matrix.rows, taskCount: matrix.taskCount, terminal: terminal, taskNames: names,
      width: width)
  }

  /// Under a matrix cut to `width`: which tasks are shown and where the whole matrix is.
  func matrixNote(terminal: Terminal, width: Int) -> String? {
    let shown = matrixTable(terminal: terminal, width: width).1
    let total = report.matrix.taskCount
    guard shown < total else { return nil }
    return "(tasks 1–\(shown) of \(total) shown; all: track matrix \(report.run.id) --format csv)"
  }

  /// Final value, range and a sparkline of every metric.
  func metricsTable() -> Table {
    var table = Table(columns: [
      Table.Column("metric"), Table.Column("points", numeric: true),
      Table.Column("last", numeric: true), Table.Column("min", numeric: true),
      Table.Column("max", numeric: true), Table.Column("curve"),
    ])
    for key in report.latestMetrics.keys.sorted() {
      let values = (report.series[key] ?? []).map(\.value)
      table.append(texts: [
        key, String(values.count), NumberFormatting.value(report.latestMetrics[key]),
        NumberFormatting.value(values.filter(\.isFinite).min()),
        NumberFormatting.value(values.filter(\.isFinite).max()),
        Sparkline.render(values, width: 30),
      ])
    }
    return table
  }

  /// Aligned text with section titles (colors on a terminal).
  func text(terminal: Terminal) -> String {
    var out = terminal.styled("Run \(report.run.id) · \(report.run.name)", .bold) + "\n"
    let width = header.map(\.0.count).max() ?? 0
    for (key, value) in header {
      let shown = key == "status"
        ? terminal.styled(value, RunColumns.style(of: report.run.status)) : value
      out += "  " + key + String(repeating: " ", count: width - key.count) + "  " + shown + "\n"
    }
    for (title, table) in sections(terminal: terminal, width: terminal.width) {
      out += "\n" + terminal.styled(title, .bold) + "\n" + table.aligned(terminal: terminal)
      if title.hasPrefix(ShowView.matrixTitle),
        let note = matrixNote(terminal: terminal, width: terminal.width)
      {
        out += terminal.styled(note, .dim) + "\n"
      }
    }
    return out
  }

  /// Markdown: a heading, a field list and one table per section.
  func markdown() -> String {
    var out = "## Run \(report.run.id) · \(report.run.name)\n\n"
    var fields = Table(columns: [Table.Column("field"), Table.Column("value")])
    for (key, value) in header { fields.append(texts: [key, value]) }
    out += fields.markdown()
    let plain = Terminal(isInteractive: false, usesColor: false, width: 100)
    for (title, table) in sections(terminal: plain) {
      out += "\n### \(title)\n\n" + table.markdown()
    }
    return out
  }

  /// Long-form CSV: section,key,value (matrix cells keyed "R[i][j]").
  func csv() -> String {
    var table = Table(columns: [Table.Column("section"), Table.Column("key"), Table.Column("value")])
    // Numbers for programs: durations in seconds, sizes in bytes, scores unrounded.
    for (key, value) in header {
      switch key {
      case "duration":
        table.append(texts: ["run", key, TimeDisplay.secondsText(report.run.duration)])
      case "knowledge base": table.append(texts: ["run", key, String(report.knowledgeCount)])
      default: table.append(texts: ["run", key, value])
      }
    }
    for param in report.params { table.append(texts: ["param", param.key, param.value.description]) }
    for key in report.tags.keys.sorted() { table.append(texts: ["tag", key, report.tags[key] ?? ""]) }
    for (key, value) in report.summary {
      table.append(texts: ["summary", key, NumberFormatting.exact(value)])
    }
    for (i, j, value) in matrixCells {
      table.append(texts: ["matrix", "R[\(i)][\(j)]", NumberFormatting.exact(value)])
    }
    for key in report.latestMetrics.keys.sorted() {
      table.append(texts: ["metric", key, NumberFormatting.exact(report.latestMetrics[key])])
    }
    for checkpoint in report.checkpoints {
      table.append(texts: [
        "checkpoint", "task \(checkpoint.task) \(checkpoint.kind)", checkpoint.sha256,
      ])
    }
    return table.csv()
  }

  /// Every stored matrix cell as (trained through, task, value).
  var matrixCells: [(Int, Int, Double)] {
    report.matrix.rows.keys.sorted().flatMap { i in
      (report.matrix.rows[i] ?? []).enumerated().map { (i, $0.offset + 1, $0.element) }
    }
  }

  /// The stable JSON object.
  func json() -> JSONValue {
    let run = report.run
    let matrix = report.matrix
    return .object(RunJSON.identity(run) + [
      ("params", RunJSON.params(report.paramValues)),
      ("tags", .object(report.tags.keys.sorted().map { ($0, .string(report.tags[$0] ?? "")) })),
      ("summary", .object(report.summary.map { ($0.0, .number($0.1)) })),
      ("tasks", .array(report.tasks.map(ShowView.task))),
      ("matrix", ShowView.matrix(matrix)),
      ("metrics", RunJSON.numbers(report.latestMetrics)),
      ("checkpoints", .array(report.checkpoints.map(ShowView.checkpoint))),
      ("knowledge_base_size", .integer(Int64(report.knowledgeCount))),
    ])
  }

  /// A task as JSON.
  static func task(_ task: TaskRecord) -> JSONValue {
    .object([
      ("index", .integer(Int64(task.index))), ("name", .string(task.name)),
      ("train_size", .integer(Int64(task.trainSize))),
      ("test_size", .integer(Int64(task.testSize))),
      ("classes", .array(task.classes.map { .integer(Int64($0)) })),
    ])
  }

  /// The matrix as JSON: rows by trained-through index (0 = baseline) and the summaries.
  static func matrix(_ matrix: AccuracyMatrix) -> JSONValue {
    .object([
      ("metric", .string(matrix.metric)),
      ("task_count", .integer(Int64(matrix.taskCount))),
      ("rows", .array(matrix.rows.keys.sorted().map { index in
        .object([
          ("trained_through", .integer(Int64(index))),
          ("scores", .array((matrix.rows[index] ?? []).map { .number($0) })),
        ])
      })),
      ("acc", .number(matrix.accuracy)), ("bwt", .number(matrix.backwardTransfer)),
      ("fwt", .number(matrix.forwardTransfer)), ("forgetting", .number(matrix.forgetting)),
    ])
  }

  /// A checkpoint as JSON.
  static func checkpoint(_ checkpoint: CheckpointRecord) -> JSONValue {
    .object([
      ("task", .integer(Int64(checkpoint.task))),
      ("epoch", checkpoint.epoch.map { .integer(Int64($0)) } ?? .null),
      ("kind", .string(checkpoint.kind)), ("sha256", .string(checkpoint.sha256)),
      ("size", .integer(Int64(checkpoint.size))),
    ])
  }
}
