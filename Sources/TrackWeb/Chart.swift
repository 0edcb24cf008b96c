import Foundation
import Tracking

/// One line of a chart: points sorted by x.
struct Series {
  var name: String
  /// Index into `Palette.lines` (the run's or task's colour, the same on every chart).
  var colour: Int
  var points: [(x: Double, y: Double)]
  /// Points the series has when `points` is already a sample of it.
  var total: Int? = nil
}

/// Keeps at most about `2 × buckets + 2` points of a series whose x grows (Tracking's
/// `SeriesSampler`: per bucket of the x range, its lowest and highest point, and the ends).
enum Downsample {
  static func minMax(_ points: [(x: Double, y: Double)], buckets: Int) -> [(x: Double, y: Double)] {
    guard let first = points.first, let last = points.last else { return points }
    var sampler = SeriesSampler<Void>(low: first.x, high: last.x, buckets: buckets)
    for point in points { sampler.add(x: point.x, y: point.y, payload: ()) }
    return sampler.result(last: ()).map { (x: $0.x, y: $0.y) }
  }
}

/// A line chart as inline SVG: axes with round ticks, one path per series, a legend. The
/// markup carries what a test (or a screen reader) needs: `data-chart`, and per path
/// `data-series`, `data-points` (drawn) and `data-total` (logged).
struct LineChart {
  var key: String
  var title: String
  var xLabel: String
  var logY = false
  var series: [Series]

  static let width = 640.0
  static let height = 260.0
  /// Pixel columns of the plot area: the downsampling buckets.
  static let buckets = 1000
  private static let left = 62.0
  private static let right = 12.0
  private static let top = 12.0
  private static let bottom = 36.0

  func render(into html: inout HTML) {
    let plotted = series.map { line -> (Series, Int) in
      let usable = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
      var drawn = line
      drawn.points = Downsample.minMax(usable, buckets: LineChart.buckets)
      return (drawn, line.total ?? line.points.count)
    }
    let all = plotted.flatMap { $0.0.points }
    html.open("figure", [("class", "chart"), ("data-chart", key)])
    html.element("figcaption", [], title + (logY ? " (log scale)" : ""))
    let integral = all.allSatisfy { $0.x == $0.x.rounded() }
    guard let xs = Axis(all.map(\.x), log: false, integral: integral), let ys = Axis(all.map(\.y), log: logY) else {
      html.element("p", [("class", "empty")], "no finite values to draw")
      html.close("figure")
      return
    }
    let (w, h) = (LineChart.width, LineChart.height)
    let plotWidth = w - LineChart.left - LineChart.right
    let plotHeight = h - LineChart.top - LineChart.bottom
    func px(_ x: Double) -> Double { LineChart.left + xs.unit(x) * plotWidth }
    func py(_ y: Double) -> Double { LineChart.top + (1 - ys.unit(y)) * plotHeight }
    html.raw(
      "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">")
    html.raw("<g class=\"grid\">")
    for tick in ys.ticks {
      let y = fixed(py(tick))
      html.raw("<line x1=\"\(fixed(LineChart.left))\" x2=\"\(fixed(w - LineChart.right))\" y1=\"\(y)\" y2=\"\(y)\"/>")
      html.raw("<text class=\"tick\" x=\"\(fixed(LineChart.left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Axis.label(tick))</text>")
    }
    for tick in xs.ticks {
      let x = fixed(px(tick))
      html.raw("<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(fixed(LineChart.top))\" y2=\"\(fixed(h - LineChart.bottom))\"/>")
      html.raw("<text class=\"tick\" x=\"\(x)\" y=\"\(fixed(h - LineChart.bottom + 14))\" text-anchor=\"middle\">\(Axis.label(tick))</text>")
    }
    html.raw("</g>")
    html.raw("<text class=\"axis\" x=\"\(fixed(LineChart.left + plotWidth / 2))\" y=\"\(fixed(h - 4))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>")
    for (line, total) in plotted {
      var d = ""
      d.reserveCapacity(line.points.count * 14)
      for (index, point) in line.points.enumerated() {
        d += index == 0 ? "M" : "L"
        d += fixed(px(point.x)) + " " + fixed(py(point.y))
      }
      if line.points.count == 1 { d += "h0.01" }
      var attributes = "class=\"line\" data-series=\"\(HTML.escape(line.name))\" data-points=\"\(line.points.count)\" data-total=\"\(total)\" stroke=\"\(Palette.line(line.colour))\""
      if let dash = Palette.dash(line.colour) { attributes += " stroke-dasharray=\"\(dash)\"" }
      html.raw("<path \(attributes) d=\"\(d)\"><title>\(HTML.escape(line.name))</title></path>")
    }
    html.raw("</svg>")
    if plotted.count > 1 || plotted.first.map({ $0.0.name != title }) == true {
      html.raw("<ul class=\"legend\">")
      for (line, _) in plotted {
        html.raw("<li><span class=\"swatch\" style=\"background:\(Palette.line(line.colour))\"></span>")
        html.text(line.name)
        html.raw("</li>")
      }
      html.raw("</ul>")
    }
    html.close("figure")
  }

  private func fixed(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// One axis: its range (log10 of it on a log axis) and round ticks.
struct Axis {
  let low: Double
  let high: Double
  let log: Bool
  let ticks: [Double]

  /// `integral`: the values are whole numbers (steps, epochs, stages), so are the ticks.
  init?(_ values: [Double], log: Bool, integral: Bool = false) {
    guard var low = values.min(), var high = values.max() else { return nil }
    self.log = log
    if log {
      low = Foundation.log10(low)
      high = Foundation.log10(high)
    }
    if high - low < 1e-12 {
      let pad = Swift.max(abs(low) * 0.05, log ? 0.5 : 0.5)
      low -= pad
      high += pad
    }
    self.low = low
    self.high = high
    if log {
      let first = Int(low.rounded(.up))
      let last = Int(high.rounded(.down))
      var ticks = first <= last ? (first...last).map { Foundation.pow(10, Double($0)) } : []
      if ticks.count < 2 { ticks = [Foundation.pow(10, low), Foundation.pow(10, high)] }
      self.ticks = ticks
    } else {
      let step = integral ? max(1, Axis.niceStep((high - low) / 5)) : Axis.niceStep((high - low) / 5)
      // k × step, rounded to the step's decimals: 0.3, not 0.30000000000000004.
      let scale = Foundation.pow(10, Swift.max(0, -Foundation.floor(Foundation.log10(step))))
      var ticks: [Double] = []
      var k = (low / step).rounded(.up)
      while k * step <= high + step * 1e-9, ticks.count < 12 {
        ticks.append((k * step * scale).rounded() / scale)
        k += 1
      }
      self.ticks = ticks
    }
  }

  /// Where `value` falls in the range, 0...1.
  func unit(_ value: Double) -> Double {
    let v = log ? Foundation.log10(value) : value
    return (v - low) / (high - low)
  }

  /// 1, 2 or 5 times a power of ten, near `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let power = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
    let fraction = raw / power
    let nice: Double = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10
    return nice * power
  }

  /// A tick's label: short, with no float noise.
  static func label(_ value: Double) -> String {
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e5 || magnitude < 1e-3 { return String(format: "%.0e", value) }
    var text = String(format: "%.4g", value)
    if text.contains(".") && !text.contains("e") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text
  }
}

/// A matrix as an SVG heatmap: one cell per (row, task) with its value written in it and in
/// `data-i`, `data-j`, `data-value`.
struct HeatmapChart {
  /// Row labels and their row index in the data (`data-i`).
  var rows: [(index: Int, label: String)]
  var columns: [String]
  /// `values[r][c]` for `rows[r]` and task `c + 1`; nil where not measured.
  var values: [[Double?]]
  /// Deltas use the diverging scale centred on 0; scores the sequential one over 0...1.
  var diverging = false
  var caption: String
  var kind = "matrix"

  func render(into html: inout HTML) {
    // Wide enough for the longest task name (up to 16 characters; longer ones end in …).
    let longest = min(16, columns.map(\.count).max() ?? 6)
    let cellWidth = max(56.0, 8 + 6.5 * Double(longest))
    let cellHeight = 28.0
    let labelWidth = min(160.0, 14 + 7 * Double(rows.map(\.label.count).max() ?? 4))
    let headerHeight = 22.0
    let width = labelWidth + cellWidth * Double(max(1, columns.count))
    let height = headerHeight + cellHeight * Double(rows.count)
    let spread = diverging ? max(1e-9, values.flatMap { $0 }.compactMap { $0.map(abs) }.filter(\.isFinite).max() ?? 1) : 1
    html.open("figure", [("class", "heatmap"), ("data-heatmap", kind)])
    html.element("figcaption", [], caption)
    html.raw("<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" style=\"max-width:\(Int(width * 1.25))px\" role=\"img\" aria-label=\"\(HTML.escape(caption))\">")
    for (c, name) in columns.enumerated() {
      let x = labelWidth + cellWidth * (Double(c) + 0.5)
      html.raw("<text class=\"tick\" x=\"\(Int(x))\" y=\"15\" text-anchor=\"middle\">\(HTML.escape(name.count > 16 ? name.prefix(15) + "…" : name))<title>\(HTML.escape(name))</title></text>")
    }
    for (r, row) in rows.enumerated() {
      let y = headerHeight + cellHeight * Double(r)
      html.raw("<text class=\"tick\" x=\"\(Int(labelWidth - 6))\" y=\"\(Int(y + cellHeight / 2))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(HTML.escape(row.label))</text>")
      for c in columns.indices {
        let x = labelWidth + cellWidth * Double(c)
        let value = c < values[r].count ? values[r][c] : nil
        guard let value, value.isFinite else {
          html.raw("<rect class=\"missing\" x=\"\(Int(x))\" y=\"\(Int(y))\" width=\"\(Int(cellWidth - 2))\" height=\"\(Int(cellHeight - 2))\"/>")
          continue
        }
        let fill: String
        let dark: Bool
        if diverging {
          fill = Palette.diverging(value / spread)
          dark = true
        } else {
          (fill, dark) = Palette.sequential(value)
        }
        let shown = diverging ? String(format: "%+.3f", value) : String(format: "%.3f", value)
        html.raw("<g class=\"cell\" data-i=\"\(row.index)\" data-j=\"\(c + 1)\" data-value=\"\(value)\">")
        html.raw("<rect x=\"\(Int(x))\" y=\"\(Int(y))\" width=\"\(Int(cellWidth - 2))\" height=\"\(Int(cellHeight - 2))\" fill=\"\(fill)\"/>")
        html.raw("<text class=\"\(dark ? "on-light" : "on-dark")\" x=\"\(Int(x + cellWidth / 2 - 1))\" y=\"\(Int(y + cellHeight / 2))\" text-anchor=\"middle\" dominant-baseline=\"middle\">\(shown)</text>")
        html.raw("</g>")
      }
    }
    html.raw("</svg>")
    html.close("figure")
  }
}
