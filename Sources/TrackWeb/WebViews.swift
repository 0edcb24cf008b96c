import Experiments
import Foundation
import Tracking

/// A rendered page and what the server needs to answer with it.
public struct WebPage: Sendable {
  public var status: Int
  public var html: String
  /// A run page of a running run (its script polls for updates).
  public var live: Bool

  init(status: Int = 200, html: String, live: Bool = false) {
    self.status = status
    self.html = html
    self.live = live
  }
}

/// A page's query string: every value of every name, decoded.
public struct WebQuery: Sendable {
  public var values: [String: [String]]

  public init(_ values: [String: [String]] = [:]) { self.values = values }

  /// Parses `a=1&b=2&a=3` (percent-decoded, `+` as space).
  public init(queryString: String) {
    var values: [String: [String]] = [:]
    for pair in queryString.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
      }
      let name = decode(parts[0])
      guard !name.isEmpty else { continue }
      values[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
    }
    self.values = values
  }

  public subscript(_ name: String) -> String? {
    guard let value = values[name]?.last, !value.isEmpty else { return nil }
    return value
  }
}

/// The web UI's pages (runs, run, compare) and `track report`, as HTML with inline SVG. It
/// draws what the application library computes (RunReport, RunDiff, the store's listing and
/// filter language) and adds no rules of its own.
public struct WebViews: Sendable {
  /// Served pages link to each other and load `/static/track.js`; a report is one file
  /// with no links out and no script.
  public enum Mode: Sendable { case server, report }

  /// Where pages read: the first reader (or the store itself when there is none).
  let store: any TrackStore
  /// Connections a comparison reads its runs through in parallel.
  let readers: [any TrackStore]
  let mode: Mode

  /// `readers`: read-only connections to the same store (`track serve` opens one per core);
  /// empty, everything reads through `store`.
  public init(store: any TrackStore, readers: [any TrackStore] = [], mode: Mode = .server) {
    self.store = readers.first ?? store
    self.readers = readers.isEmpty ? [store] : readers
    self.mode = mode
  }

  /// Runs listed per page.
  public static let pageSize = 50
  /// The most runs one comparison draws.
  public static let maximumCompared = 20

  // MARK: Runs

  /// The runs table: `q` (a `--where` filter), `sort` (e.g. `-acc`), `columns` (extra keys,
  /// comma-separated), `page` (from 1), `n` (runs per page, 1–500). A filter that does not
  /// parse is shown inline, with the column where it went wrong, over the unfiltered runs.
  public func runs(_ query: WebQuery) throws -> WebPage {
    var html = HTML()
    var filter: RunFilter? = nil
    var sort: [RunSort] = []
    var problem: String? = nil
    let names = try store.fieldNames()
    var extra = (query["columns"] ?? "").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    do {
      try RunKeyCheck.check(extra, option: "columns", against: names)
      if let text = query["q"] {
        let parsed = try RunFilter.parse(text)
        try RunKeyCheck.check(parsed.expression.fields, option: "filter", against: names)
        filter = parsed
      }
      if let text = query["sort"] {
        sort = try text.split(separator: ",").map { try RunSort.parse(String($0)) }
        try RunKeyCheck.check(sort.map(\.key), option: "sort", against: names)
      }
    } catch {
      problem = WebViews.message(error)
      filter = nil
      sort = []
      extra = []
    }
    let size = min(500, max(1, Int(query["n"] ?? "") ?? WebViews.pageSize))
    let total = try store.countRuns(where: filter)
    let pages = max(1, (total + size - 1) / size)
    let page = min(pages, max(1, Int(query["page"] ?? "1") ?? 1))
    let runs = try store.runs(where: filter, sort: sort, limit: size, offset: (page - 1) * size)
    let columns = WebViews.runColumns(for: runs, extra: extra)

    html.raw("<h1>Runs</h1>")
    html.raw("<form class=\"filter\" method=\"get\" action=\"/\">")
    html.raw("<input type=\"search\" name=\"q\" aria-label=\"filter\" placeholder=\"acc &gt; 0.8 and strategy.type = replay\" value=\"\(HTML.escape(query["q"] ?? ""))\">")
    if let text = query["sort"] {
      html.raw("<input type=\"hidden\" name=\"sort\" value=\"\(HTML.escape(text))\">")
    }
    html.raw("<input type=\"text\" name=\"columns\" class=\"columns\" aria-label=\"more columns\" placeholder=\"more columns: optimizer.lr,train_loss\" value=\"\(HTML.escape(extra.joined(separator: ",")))\">")
    html.raw("<button type=\"submit\">Filter</button></form>")
    if let problem {
      html.open("pre", [("class", "error"), ("data-error", "filter"), ("role", "alert")])
      html.text(problem)
      html.close("pre")
    }
    html.raw("<p class=\"count\" data-total=\"\(total)\">\(total) run\(total == 1 ? "" : "s")")
    if pages > 1 { html.raw(", page \(page) of \(pages)") }
    html.raw("</p>")

    html.raw("<form method=\"get\" action=\"/compare\" class=\"runs\">")
    html.raw("<div class=\"scroll\"><table class=\"runs\" data-table=\"runs\"><thead><tr><th></th>")
    for column in columns {
      let descending = sort.first.map { $0.key == column.key && !$0.descending } ?? false
      let link = self.link(query, set: ["sort": (descending ? "-" : "") + column.key, "page": nil])
      var mark = ""
      if let first = sort.first, first.key == column.key { mark = first.descending ? " ▼" : " ▲" }
      html.raw("<th class=\"\(column.numeric ? "num" : "")\"><a href=\"\(HTML.escape(link))\">\(HTML.escape(column.title))\(mark)</a></th>")
    }
    html.raw("</tr></thead><tbody>")
    for run in runs {
      html.raw("<tr data-run=\"\(run.id)\"><td><input type=\"checkbox\" name=\"sel\" value=\"\(run.id)\" aria-label=\"select run \(run.id)\"></td>")
      for column in columns {
        let text = column.value(run)
        html.raw(column.numeric ? "<td class=\"num\">" : "<td>")
        if column.key == "status" {
          html.raw("<span class=\"status \(run.status.rawValue)\">\(HTML.escape(text))</span>")
        } else if column.key == "id" || column.key == "name" {
          html.raw("<a href=\"/runs/\(run.id)\">\(HTML.escape(text))</a>")
        } else {
          html.text(text)
        }
        html.raw("</td>")
      }
      html.raw("</tr>")
    }
    html.raw("</tbody></table></div>")
    html.raw("<p class=\"actions\"><button type=\"submit\">Compare selected runs</button></p></form>")
    if pages > 1 {
      html.raw("<nav class=\"pages\" aria-label=\"pages\">")
      if page > 1 {
        html.raw("<a rel=\"prev\" href=\"\(HTML.escape(link(query, set: ["page": String(page - 1)])))\">← previous</a>")
      }
      html.raw("<span>page \(page) of \(pages)</span>")
      if page < pages {
        html.raw("<a rel=\"next\" href=\"\(HTML.escape(link(query, set: ["page": String(page + 1)])))\">next →</a>")
      }
      html.raw("</nav>")
    }
    return WebPage(html: layout(title: "Runs", body: html))
  }

  /// A column of the runs table.
  struct RunColumn {
    var key: String
    var title: String
    var numeric: Bool
    var value: (RunSummary) -> String
  }

  /// id, name, experiment, status, created, duration, ACC, BWT, FWT, forgetting, then the
  /// parameters that differ on the page (at most six) and the `extra` keys.
  static func runColumns(for runs: [RunSummary], extra: [String]) -> [RunColumn] {
    var columns: [RunColumn] = [
      RunColumn(key: "id", title: "id", numeric: true) { String($0.id) },
      RunColumn(key: "name", title: "name", numeric: false) { $0.name },
      RunColumn(key: "experiment", title: "experiment", numeric: false) { $0.experiment ?? "" },
      RunColumn(key: "status", title: "status", numeric: false) { $0.status.rawValue },
      RunColumn(key: "created", title: "created", numeric: false) { TimeDisplay.short($0.createdAt) },
      RunColumn(key: "duration", title: "duration", numeric: true) { NumberFormatting.duration($0.duration) },
    ]
    for key in RunField.summaries {
      columns.append(RunColumn(key: key, title: key.uppercased() == "FORGETTING" ? "forgetting" : key.uppercased(), numeric: true) {
        NumberFormatting.score($0.summary[key])
      })
    }
    // Differ: two runs that have the parameter give it different values (a run without it,
    // e.g. one logged by `track exec`, does not make every parameter "differ").
    let varying = Set(runs.flatMap(\.params.keys)).sorted().filter { key in
      Set(runs.compactMap { $0.params[key]?.description }).count > 1
    }
    for key in (Array(varying.prefix(6)) + extra) where !columns.contains(where: { $0.key == key }) {
      let isParam = runs.contains { $0.params[key] != nil }
      columns.append(RunColumn(key: key, title: key, numeric: !isParam) { run in
        if let value = run.params[key] { return value.description }
        return NumberFormatting.value(run.summary[key])
      })
    }
    return columns
  }

  // MARK: Run

  /// One run: `x` (step, epoch or time), `log` (1: log-scale y).
  public func run(_ id: RunID, _ query: WebQuery) throws -> WebPage {
    let xAxis = XAxis(rawValue: query["x"] ?? "step") ?? .step
    let report = try loadReport(id, xAxis: xAxis)
    let run = report.run
    var html = HTML(capacity: 200_000)
    let logY = query["log"] == "1"
    html.open("h1")
    html.text("Run \(run.id) · \(run.name) ")
    html.raw("<span class=\"status \(run.status.rawValue)\" data-status=\"\(run.status.rawValue)\">\(run.status.rawValue)</span>")
    html.close("h1")
    if run.status == .running || run.status == .crashed {
      let stale = try store.staleHeartbeat()
      if let beat = run.heartbeatAt {
        let age = Date().timeIntervalSince(beat)
        let staleNow = run.status == .crashed || age > stale
        html.raw("<p class=\"heartbeat\(staleNow ? " stale" : "")\" data-heartbeat-age=\"\(Int(age))\">")
        html.text(
          staleNow
            ? "No heartbeat for \(NumberFormatting.duration(age)) (stale after \(NumberFormatting.duration(stale))): the writer is gone or stuck."
            : "Live: last heartbeat \(NumberFormatting.duration(age)) ago; this page updates by itself.")
        html.raw("</p>")
      }
    }
    // Identity and life.
    var facts: [(String, String)] = [
      ("uuid", run.uuid), ("experiment", run.experiment ?? "Default"),
      ("created", TimeDisplay.timestamp(run.createdAt)),
      ("duration", NumberFormatting.duration(run.duration)),
    ]
    if let ended = run.endedAt { facts.append(("ended", TimeDisplay.timestamp(ended))) }
    if let command = run.command { facts.append(("command", command)) }
    if let commit = run.gitCommit { facts.append(("git commit", commit)) }
    if let host = run.host { facts.append(("host", host)) }
    facts.append(("knowledge base", "\(report.knowledgeCount) samples"))
    html.raw("<dl class=\"facts\">")
    for (key, value) in facts {
      html.element("dt", [], key)
      html.element("dd", [], value)
    }
    if let from = run.continuedFrom {
      html.raw("<dt>continued from</dt><dd>")
      runLink(&html, from, "run \(from)")
      html.raw("</dd>")
    }
    html.raw("</dl>")

    if !report.summary.isEmpty {
      html.raw("<section><h2>Summary (\(HTML.escape(report.matrix.metric)))</h2><dl class=\"summary\" data-summary>")
      for (key, value) in report.summary {
        html.raw("<div><dt>\(key.uppercased() == "FORGETTING" ? "forgetting" : key.uppercased())</dt><dd data-key=\"\(key)\">\(NumberFormatting.score(value))</dd></div>")
      }
      html.raw("</dl></section>")
    }

    if report.matrix.taskCount > 0 {
      html.raw("<section><h2>What it learned and forgot</h2><div class=\"pair\">")
      matrixHeatmap(report).render(into: &html)
      forgettingChart(report).render(into: &html)
      html.raw("</div></section>")
    }

    let keys = report.series.keys.sorted()
    if !keys.isEmpty {
      html.raw("<section><h2>Metrics</h2>")
      axisControls(&html, query: query, xAxis: xAxis, logY: logY)
      html.raw("<div class=\"charts\">")
      for key in keys {
        let points = xAxis.points(report.series[key] ?? [], start: run.startedAt ?? run.createdAt)
        LineChart(
          key: key, title: key, xLabel: xAxis.label, logY: logY,
          series: [Series(name: key, colour: 0, points: points, total: report.seriesTotals[key])]
        ).render(into: &html)
      }
      html.raw("</div></section>")
    }

    html.raw("<section class=\"tables\">")
    table(&html, title: "Parameters", kind: "params", headers: ["param", "value"],
          rows: report.params.map { [$0.key, $0.value.description] })
    table(&html, title: "Tags", kind: "tags", headers: ["tag", "value"],
          rows: report.tags.keys.sorted().map { [$0, report.tags[$0] ?? ""] })
    table(&html, title: "Final metrics", kind: "metrics", headers: ["metric", "points", "last"],
          rows: report.latestMetrics.keys.sorted().map {
            [$0, String(report.seriesTotals[$0] ?? 0), NumberFormatting.value(report.latestMetrics[$0])]
          })
    table(&html, title: "Tasks", kind: "tasks",
          headers: ["task", "name", "train", "test", "classes", "knowledge base"],
          rows: report.tasks.map {
            [String($0.index), $0.name, String($0.trainSize), String($0.testSize),
             $0.classes.map(String.init).joined(separator: " "), String(report.knowledgeByTask[$0.index] ?? 0)]
          })
    table(&html, title: "Checkpoints", kind: "checkpoints", headers: ["task", "epoch", "kind", "size", "sha256"],
          rows: report.checkpoints.map {
            [String($0.task), $0.epoch.map(String.init) ?? "", $0.kind, NumberFormatting.bytes($0.size),
             String($0.sha256.prefix(12))]
          })
    let artifacts = try store.artifacts(of: id, prefix: nil)
    if !artifacts.isEmpty {
      openTable(&html, title: "Artifacts", kind: "artifacts", headers: [("path", false), ("size", true)])
      for artifact in artifacts {
        html.raw("<tr><td>")
        if mode == .server {
          let path = artifact.path.split(separator: "/").map { HTML.query(String($0)) }.joined(separator: "/")
          html.raw("<a download href=\"/runs/\(id)/artifacts/\(HTML.escape(path))\">\(HTML.escape(artifact.path))</a>")
        } else {
          html.text(artifact.path)
        }
        html.raw("</td><td class=\"num\">\(NumberFormatting.bytes(Int(artifact.size)))</td></tr>")
      }
      html.raw("</tbody></table></div></div>")
    }
    html.raw("</section>")
    let live = run.status == .running
    return WebPage(html: layout(title: "Run \(run.id) · \(run.name)", body: html, live: live), live: live)
  }

  /// The matrix R as a heatmap: the baseline row (before training) and a row per stage.
  func matrixHeatmap(_ report: RunReport) -> HeatmapChart {
    let matrix = report.matrix
    let names = taskNames(report)
    let rowIndices = matrix.rows.keys.sorted()
    return HeatmapChart(
      rows: rowIndices.map { ($0, $0 == 0 ? "before training" : "after \(names[$0 - 1])") },
      columns: names,
      values: rowIndices.map { i in (1...matrix.taskCount).map { matrix.value(trainedThrough: i, task: $0) } },
      caption: "R[i][j]: \(matrix.metric) on each task (columns) after each stage (rows)")
  }

  /// Each task's score after each training stage: one line per task, falling as later
  /// tasks are learned.
  func forgettingChart(_ report: RunReport) -> LineChart {
    let matrix = report.matrix
    let names = taskNames(report)
    let stages = matrix.rows.keys.sorted()
    let series = (1...max(1, matrix.taskCount)).map { j in
      Series(
        name: names[j - 1], colour: j - 1,
        points: stages.compactMap { i in matrix.value(trainedThrough: i, task: j).map { (Double(i), $0) } })
    }
    return LineChart(
      key: "forgetting", title: "\(matrix.metric) of each task after each stage",
      xLabel: "trained through task (0: before training)", series: series)
  }

  func taskNames(_ report: RunReport) -> [String] {
    let named = Dictionary(report.tasks.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
    return (0..<report.matrix.taskCount).map { named[$0 + 1] ?? "task \($0 + 1)" }
  }

  // MARK: Compare

  /// Runs side by side, each against the first: every chart overlaid (one colour per run),
  /// the parameters that differ, summary and final-metric deltas, and the matrix Δ.
  public func compare(_ ids: [RunID], _ query: WebQuery) throws -> WebPage {
    guard ids.count >= 2 else {
      throw ExperimentError(.invalidRequest, "compare needs at least two runs: select them in the runs table (or /compare?run=1&run=2)")
    }
    guard ids.count <= WebViews.maximumCompared else {
      throw ExperimentError(
        .invalidRequest, "compare takes at most \(WebViews.maximumCompared) runs, not \(ids.count)")
    }
    let xAxis = XAxis(rawValue: query["x"] ?? "step") ?? .step
    let reports = try loadReports(ids, xAxis: xAxis)
    let diff = RunDiff(reports)
    let logY = query["log"] == "1"
    var html = HTML(capacity: 400_000)
    html.raw("<h1>Compare \(reports.count) runs</h1>")
    html.raw("<ul class=\"legend runs\" data-legend>")
    for (index, report) in reports.enumerated() {
      html.raw("<li><span class=\"swatch\" style=\"background:\(Palette.line(index))\"></span>")
      runLink(&html, report.run.id, WebViews.label(report.run))
      html.raw(" <span class=\"status \(report.run.status.rawValue)\">\(report.run.status.rawValue)</span>\(index == 0 ? " (baseline)" : "")</li>")
    }
    html.raw("</ul>")
    let headers = ["key"] + reports.map { WebViews.label($0.run) }
    if !diff.params.isEmpty {
      table(&html, title: "Parameters that differ", kind: "params-diff", headers: headers,
            rows: diff.params.map { row in [row.key] + row.values.map { $0?.description ?? "—" } })
    } else {
      html.raw("<p>Every parameter is the same in these runs.</p>")
    }
    numberTable(&html, title: "Summary", kind: "summary-diff", headers: headers, rows: diff.summary, score: true)
    numberTable(&html, title: "Final metrics", kind: "metrics-diff", headers: headers, rows: diff.metrics, score: false)

    if diff.matrixMetric != nil, reports.contains(where: { $0.matrix.taskCount > 0 }) {
      html.raw("<section><h2>What each run learned and forgot</h2><div class=\"charts\">")
      for (index, report) in reports.enumerated() where report.matrix.taskCount > 0 && index > 0 {
        matrixDelta(diff, against: index, reports: reports).render(into: &html)
      }
      for report in reports where report.matrix.taskCount > 0 {
        var chart = forgettingChart(report)
        chart.key = "forgetting-\(report.run.id)"
        chart.title = "run \(WebViews.label(report.run)): each task after each stage"
        chart.render(into: &html)
      }
      html.raw("</div></section>")
    }

    let keys = Set(reports.flatMap(\.series.keys)).sorted()
    if !keys.isEmpty {
      html.raw("<section><h2>Metrics</h2>")
      axisControls(&html, query: query, xAxis: xAxis, logY: logY)
      html.raw("<div class=\"charts\">")
      for key in keys {
        let series = reports.enumerated().compactMap { index, report -> Series? in
          guard let points = report.series[key] else { return nil }
          return Series(
            name: WebViews.label(report.run), colour: index,
            points: xAxis.points(points, start: report.run.startedAt ?? report.run.createdAt),
            total: report.seriesTotals[key])
        }
        LineChart(key: key, title: key, xLabel: xAxis.label, logY: logY, series: series).render(into: &html)
      }
      html.raw("</div></section>")
    }
    let title = "Compare " + ids.map(String.init).joined(separator: ", ")
    return WebPage(html: layout(title: title, body: html))
  }

  /// R of run `index` minus R of the first run, cell by cell.
  func matrixDelta(_ diff: RunDiff, against index: Int, reports: [RunReport]) -> HeatmapChart {
    let rowIndices = Array(Set(diff.matrix.map(\.trainedThrough))).sorted()
    let taskCount = diff.matrix.map(\.task).max() ?? 0
    let names = diff.taskNames.count == taskCount ? diff.taskNames : (1...max(1, taskCount)).map { "task \($0)" }
    var values = rowIndices.map { _ in [Double?](repeating: nil, count: taskCount) }
    for cell in diff.matrix {
      guard let r = rowIndices.firstIndex(of: cell.trainedThrough) else { continue }
      values[r][cell.task - 1] = cell.row.deltas[index]
    }
    let run = reports[index].run
    let base = reports[0].run
    return HeatmapChart(
      rows: rowIndices.map { ($0, $0 == 0 ? "before training" : "after \(names[$0 - 1])") },
      columns: names, values: values, diverging: true,
      caption: "ΔR: run \(run.id) minus run \(base.id) (orange: higher, blue: lower)",
      kind: "delta-\(run.id)")
  }

  // MARK: Report

  /// `track report`: the run page (one run) or the compare page (several) as one
  /// self-contained file.
  public static func report(store: any TrackStore, runs: [RunID]) throws -> String {
    let views = WebViews(store: store, mode: .report)
    return runs.count == 1 ? try views.run(runs[0], WebQuery()).html : try views.compare(runs, WebQuery()).html
  }

  // MARK: Pieces

  /// How a run is named on a page: "3 · replay".
  static func label(_ run: Run) -> String { "\(run.id) · \(run.name)" }

  /// The runs' reports, read in parallel through the readers (each run through one).
  func loadReports(_ ids: [RunID], xAxis: XAxis) throws -> [RunReport] {
    guard readers.count > 1, ids.count > 1 else { return try ids.map { try loadReport($0, xAxis: xAxis, from: store) } }
    let results = ResultSlots<RunReport>(count: ids.count)
    let readers = self.readers
    DispatchQueue.concurrentPerform(iterations: readers.count) { lane in
      for index in stride(from: lane, to: ids.count, by: readers.count) {
        results.set(index, Result { try loadReport(ids[index], xAxis: xAxis, from: readers[lane]) })
      }
    }
    return try results.values()
  }

  /// A run with its curves: over steps only what a chart draws, sampled by the store as it
  /// reads (the pixel columns are steps); over epochs or time every point, sampled here.
  func loadReport(_ id: RunID, xAxis: XAxis, from reader: (any TrackStore)? = nil) throws -> RunReport {
    try RunReport(
      store: reader ?? store, id: id, withSeries: true,
      sampledTo: xAxis == .step ? LineChart.buckets : nil)
  }

  /// The x axis of curves.
  enum XAxis: String {
    case step, epoch, time

    var label: String {
      switch self {
      case .step: return "step"
      case .epoch: return "epoch"
      case .time: return "seconds since the run started"
      }
    }

    func points(_ points: [MetricPoint], start: Date) -> [(x: Double, y: Double)] {
      switch self {
      case .step: return points.map { (Double($0.step), $0.value) }
      case .epoch: return points.compactMap { point in point.epoch.map { (Double($0), point.value) } }
      case .time:
        return points.map { ($0.wallTime.timeIntervalSince(start), $0.value) }.sorted { $0.0 < $1.0 }
      }
    }
  }

  private func axisControls(_ html: inout HTML, query: WebQuery, xAxis: XAxis, logY: Bool) {
    guard mode == .server else { return }
    html.raw("<p class=\"controls\">x: ")
    for axis in [XAxis.step, .epoch, .time] {
      if axis == xAxis {
        html.raw("<strong>\(axis.rawValue)</strong> ")
      } else {
        html.raw("<a href=\"\(HTML.escape(link(query, set: ["x": axis.rawValue])))\">\(axis.rawValue)</a> ")
      }
    }
    html.raw(" · y: ")
    html.raw(logY ? "<a href=\"\(HTML.escape(link(query, set: ["log": nil])))\">linear</a> <strong>log</strong>"
      : "<strong>linear</strong> <a href=\"\(HTML.escape(link(query, set: ["log": "1"])))\">log</a>")
    html.raw("</p>")
  }

  private func table(_ html: inout HTML, title: String, kind: String, headers: [String], rows: [[String]]) {
    guard !rows.isEmpty else { return }
    openTable(&html, title: title, kind: kind, headers: headers.map { ($0, false) })
    for row in rows {
      html.raw("<tr>")
      for cell in row { html.element("td", [], cell) }
      html.raw("</tr>")
    }
    html.raw("</tbody></table></div></div>")
  }

  /// A titled table's start, up to its open `<tbody>` (closed by `</tbody></table></div></div>`).
  private func openTable(_ html: inout HTML, title: String, kind: String, headers: [(String, Bool)]) {
    html.raw("<div class=\"table\"><h2>\(HTML.escape(title))</h2><div class=\"scroll\"><table data-table=\"\(kind)\"><thead><tr>")
    for (header, numeric) in headers { html.element("th", numeric ? [("class", "num")] : [], header) }
    html.raw("</tr></thead><tbody>")
  }

  private func numberTable(
    _ html: inout HTML, title: String, kind: String, headers: [String], rows: [RunDiff.NumberRow],
    score: Bool
  ) {
    guard !rows.isEmpty else { return }
    openTable(&html, title: title, kind: kind, headers: headers.map { ($0, false) })
    for row in rows {
      html.raw("<tr><td>\(HTML.escape(row.key))</td>")
      let deltas = row.deltas
      for (index, value) in row.values.enumerated() {
        let shown = score ? NumberFormatting.score(value) : NumberFormatting.value(value)
        html.raw("<td class=\"num\">\(HTML.escape(shown))")
        if index > 0, let delta = deltas[index] {
          html.raw(" <span class=\"delta \(delta > 0 ? "up" : delta < 0 ? "down" : "")\">(\(HTML.escape(NumberFormatting.delta(delta))))</span>")
        }
        html.raw("</td>")
      }
      html.raw("</tr>")
    }
    html.raw("</tbody></table></div></div>")
  }

  private func runLink(_ html: inout HTML, _ id: RunID, _ text: String) {
    if mode == .server {
      html.raw("<a href=\"/runs/\(id)\">\(HTML.escape(text))</a>")
    } else {
      html.text(text)
    }
  }

  /// This page's URL with some query values replaced (nil: removed).
  private func link(_ query: WebQuery, set: [String: String?]) -> String {
    var values = query.values
    for (name, value) in set { values[name] = value.map { [$0] } }
    let parts = values.keys.sorted().flatMap { name in
      (values[name] ?? []).filter { !$0.isEmpty }.map { "\(HTML.query(name))=\(HTML.query($0))" }
    }
    return "?" + parts.joined(separator: "&")
  }

  /// An error's message for a page (the store's and the application library's say what
  /// was wrong and where).
  static func message(_ error: any Error) -> String {
    switch error {
    case let error as TrackingError: return error.message
    case let error as ExperimentError: return error.message
    default: return "\(error)"
    }
  }

  /// A page for a request that failed: the message, and the way back.
  public func errorPage(status: Int, _ error: any Error) -> WebPage {
    var html = HTML()
    html.raw("<h1>\(status == 404 ? "Not found" : "Cannot show this")</h1>")
    html.open("pre", [("class", "error"), ("data-error", "page"), ("role", "alert")])
    html.text(WebViews.message(error))
    html.close("pre")
    html.raw("<p><a href=\"/\">All runs</a></p>")
    return WebPage(status: status, html: layout(title: "Error", body: html))
  }

  func layout(title: String, body: HTML, live: Bool = false) -> String {
    var page = HTML(capacity: body.text.utf8.count + 8192)
    page.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
    page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    page.element("title", [], "\(title) · track")
    page.raw("<link rel=\"icon\" href=\"data:,\">")
    page.raw("<style>\(WebAssets.css)</style></head>")
    page.raw(live && mode == .server ? "<body data-live=\"1\">" : "<body>")
    if mode == .server {
      page.raw("<header><nav><a class=\"brand\" href=\"/\">track</a> <a href=\"/\">runs</a></nav></header>")
    } else {
      page.raw("<header><nav><span class=\"brand\">track</span> report · \(HTML.escape(TimeDisplay.timestamp(Date())))</nav></header>")
    }
    page.raw("<main id=\"main\">")
    page.append(body)
    page.raw("</main>")
    if mode == .server { page.raw("<script src=\"/static/track.js\"></script>") }
    page.raw("</body></html>")
    return page.text
  }
}

/// Results filled in from several threads, each slot by one.
final class ResultSlots<Value>: @unchecked Sendable {
  // @unchecked: `slots` is only touched under `lock`.
  private let lock = NSLock()
  private var slots: [Result<Value, any Error>?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ result: Result<Value, any Error>) {
    lock.lock()
    slots[index] = result
    lock.unlock()
  }

  /// The values in order, or the first error.
  func values() throws -> [Value] {
    lock.lock()
    defer { lock.unlock() }
    return try slots.map { try $0!.get() }
  }
}
