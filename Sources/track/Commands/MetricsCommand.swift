import Experiments
import ArgumentParser
import Tracking

/// `track metrics RUN [--key K]`: every metric's summary, or one metric's points.
struct MetricsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics",
    abstract: "List a run's metrics (count, last, min, max, curve) or the points of one metric.")

  @OptionGroup var store: StoreOptions

  @Argument(help: RunArgumentHelp.text)
  var reference: String

  @Option(help: ArgumentHelp("Print every point of this metric (repeatable).", valueName: "key"))
  var key: [String] = []

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let opened = try store.openForReading()
    let run = try opened.resolveRun(reference, note: StandardError.note)
    let keys = try opened.metricKeys(of: run.id)
    if key.isEmpty {
      try printSummary(opened, run, keys)
    } else {
      for wanted in key where !keys.contains(wanted) {
        throw CLIError(
          .usage, "run #\(run.id) \(run.name) has no metric '\(wanted)'; it has: "
            + (keys.isEmpty ? "(none)" : keys.joined(separator: ", ")))
      }
      try printPoints(opened, run)
    }
  }

  private func printSummary(_ store: any TrackStore, _ run: Run, _ keys: [String]) throws {
    var rows: [(String, [Double])] = []
    for key in keys { rows.append((key, try store.metricSeries(of: run.id, key: key).map(\.value))) }
    if format == .json {
      Output.write(JSONValue.object([
        ("run", .integer(run.id)),
        ("metrics", .array(rows.map { key, values in
          .object([
            ("key", .string(key)), ("count", .integer(Int64(values.count))),
            ("last", .number(values.last)), ("min", .number(values.filter(\.isFinite).min())),
            ("max", .number(values.filter(\.isFinite).max())),
          ])
        })),
      ]).rendered())
      return
    }
    var columns = [
      Table.Column("metric"), Table.Column("points", numeric: true),
      Table.Column("last", numeric: true), Table.Column("min", numeric: true),
      Table.Column("max", numeric: true),
    ]
    if format == .table { columns.append(Table.Column("curve")) }
    var table = Table(columns: columns)
    for (key, values) in rows {
      // CSV is for programs: unrounded numbers, empty when missing or not finite.
      let number = format == .csv ? NumberFormatting.exact : NumberFormatting.value
      table.append(texts: [
        key, String(values.count), number(values.last),
        number(values.filter(\.isFinite).min()), number(values.filter(\.isFinite).max()),
        Sparkline.render(values, width: 40),
      ])
    }
    Output.write(table.rendered(format, terminal: .current))
  }

  private func printPoints(_ store: any TrackStore, _ run: Run) throws {
    var all: [MetricPoint] = []
    for wanted in key { all += try store.metricSeries(of: run.id, key: wanted) }
    if format == .json {
      Output.write(JSONValue.object([
        ("run", .integer(run.id)),
        ("points", .array(all.map(MetricsCommand.json))),
      ]).rendered())
      return
    }
    var table = Table(columns: [
      Table.Column("key"), Table.Column("step", numeric: true),
      Table.Column("epoch", numeric: true), Table.Column("task", numeric: true),
      Table.Column("value", numeric: true),
    ])
    for point in all {
      table.append(texts: [
        point.key, String(point.step), point.epoch.map(String.init) ?? "",
        point.task.map(String.init) ?? "",
        format == .table ? NumberFormatting.value(point.value) : JSONValue.format(point.value),
      ])
    }
    Output.write(table.rendered(format, terminal: .current))
  }

  /// One point as JSON.
  static func json(_ point: MetricPoint) -> JSONValue {
    .object([
      ("key", .string(point.key)), ("step", .integer(Int64(point.step))),
      ("epoch", point.epoch.map { .integer(Int64($0)) } ?? .null),
      ("task", point.task.map { .integer(Int64($0)) } ?? .null),
      ("value", .number(point.value)),
    ])
  }
}
