import Foundation
import Testing

@testable import TrackWeb

/// The pieces of the pictures that have rules of their own: downsampling keeps spikes and
/// bounds the points, axes get round ticks, text is escaped.
struct ChartTests {
  @Test func downsamplingBoundsThePointsAndKeepsSpikesAndEnds() {
    var points = (0..<1_000_000).map { (x: Double($0), y: sin(Double($0) / 5000)) }
    points[123_457].y = 40
    points[876_543].y = -40
    let kept = Downsample.minMax(points, buckets: 1000)
    #expect(kept.count <= 2002)
    #expect(kept.count > 1000)
    #expect(kept.first! == points.first!)
    #expect(kept.last! == points.last!)
    #expect(kept.contains { $0.x == 123_457 && $0.y == 40 })
    #expect(kept.contains { $0.x == 876_543 && $0.y == -40 })
    // x stays in order (a path drawn left to right).
    #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.x <= $1.x })
    // Few points are drawn as they are.
    let few = Array(points.prefix(50))
    #expect(Downsample.minMax(few, buckets: 1000).count == 50)
  }

  @Test func axesHaveRoundTicksInsideTheRange() {
    let axis = Axis([0.13, 0.87], log: false)!
    #expect(axis.ticks == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    #expect(Axis([-3, 97], log: false)!.ticks == [0, 20, 40, 60, 80])
    let steps = Axis([1, 3], log: false, integral: true)!
    #expect(steps.ticks == [1, 2, 3])
    let log = Axis([0.001, 5], log: true)!
    #expect(log.ticks == [0.001, 0.01, 0.1, 1])
    let flat = Axis([2, 2], log: false)!
    #expect(flat.unit(2) == 0.5)
    #expect(Axis.label(0.30000000000000004) == "0.3")
    #expect(Axis.label(250_000) == "2e+05")
  }

  @Test func textAndAttributesAreEscaped() {
    #expect(HTML.escape("<script>\"a\" & 'b'</script>") == "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;")
    var html = HTML()
    html.element("td", [("title", "x\"><img src=y>")], "<b>")
    #expect(html.text == "<td title=\"x&quot;&gt;&lt;img src=y&gt;\">&lt;b&gt;</td>")
  }

  @Test func aChartMarksItsSeriesAndADeltaHeatmapCentresOnZero() {
    var html = HTML()
    LineChart(
      key: "loss", title: "loss", xLabel: "step",
      series: [Series(name: "a", colour: 0, points: [(0, 1), (1, .nan), (2, 0.5)])]
    ).render(into: &html)
    #expect(html.text.contains("data-chart=\"loss\""))
    #expect(html.text.contains("data-points=\"2\" data-total=\"3\""))  // NaN is not drawn
    var map = HTML()
    HeatmapChart(
      rows: [(1, "after t1")], columns: ["t1", "t2"], values: [[-0.5, nil]], diverging: true,
      caption: "Δ"
    ).render(into: &map)
    #expect(map.text.contains("data-i=\"1\" data-j=\"1\" data-value=\"-0.5\""))
    #expect(map.text.contains("class=\"missing\""))
    #expect(Palette.diverging(0) == "#ffffff")
    #expect(Palette.diverging(-1) == "#0072b2")
  }
}
