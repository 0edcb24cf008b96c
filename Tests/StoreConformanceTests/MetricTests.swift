import Foundation
import Testing
import Tracking

/// Metric points: buffered logging, series order, odd values, the latest-value rule.
struct MetricTests {
  @Test(arguments: Backend.all) func nanAndInfinityRoundTrip(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "odd", experiment: nil, params: [:])
    let values = [Double.nan, .infinity, -.infinity, 0.1, -3, Double.greatestFiniteMagnitude]
    try run.log(batch: values.enumerated().map { MetricPoint(key: "x", value: $1, step: $0) })
    try run.recordMatrixRow(trainedThrough: 0, scores: [.nan, .infinity], metric: "accuracy")
    try run.finish()
    let back = try store.metricSeries(of: run.id, key: "x").map(\.value)
    #expect(back.count == values.count)
    #expect(back[0].isNaN)
    #expect(back[1] == .infinity)
    #expect(back[2] == -.infinity)
    #expect(Array(back[3...]) == Array(values[3...]))
    #expect(try store.latestMetrics(of: run.id)["x"] == .greatestFiniteMagnitude)
    let matrix = try store.matrix(of: run.id)
    #expect(matrix.value(trainedThrough: 0, task: 1)!.isNaN)
    #expect(matrix.value(trainedThrough: 0, task: 2) == .infinity)
  }

  @Test(arguments: Backend.all) func aNaNCanBeTheLatestValue(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "diverged", experiment: nil, params: [:])
    try run.log("loss", value: 0.5, step: 0)
    try run.log("loss", value: .nan, step: 1)
    try run.log("gain", value: -.infinity, step: 0)
    try run.finish()
    let latest = try store.latestMetrics(of: run.id)
    #expect(latest["loss"]?.isNaN == true)
    #expect(latest["gain"] == -.infinity)
  }

  @Test(arguments: Backend.all) func latestMetricIsTheHighestStep(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "order", experiment: nil, params: [:])
    try run.log("acc", value: 0.5, step: 10)
    try run.flush()
    try run.log("acc", value: 0.1, step: 3)  // a late point with a lower step
    try run.log("acc", value: 0.7, step: 10)  // same step later: the later value wins
    try run.finish()
    #expect(try store.latestMetrics(of: run.id) == ["acc": 0.7])
    #expect(try store.metricSeries(of: run.id, key: "acc").map(\.step) == [3, 10, 10])
    #expect(try store.metricSeries(of: run.id, key: "acc").map(\.value) == [0.1, 0.5, 0.7])
  }

  @Test(arguments: Backend.all) func equalStepsKeepLoggingOrderWithinOneBatch(
    _ backend: Backend
  ) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "batch", experiment: nil, params: [:])
    try run.log(batch: [
      MetricPoint(key: "acc", value: 0.2, step: 5), MetricPoint(key: "acc", value: 0.9, step: 7),
      MetricPoint(key: "acc", value: 0.4, step: 5), MetricPoint(key: "acc", value: 0.8, step: 7),
      MetricPoint(key: "loss", value: 3, step: 0),
    ])
    try run.finish()
    #expect(try store.metricSeries(of: run.id, key: "acc").map(\.value) == [0.2, 0.4, 0.9, 0.8])
    #expect(try store.latestMetrics(of: run.id) == ["acc": 0.8, "loss": 3])
    #expect(try store.metricKeys(of: run.id) == ["acc", "loss"])
    #expect(try store.metricSeries(of: run.id, key: "absent").isEmpty)
  }

  @Test(arguments: Backend.all) func appendedPointsAreReadAtOnce(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.createRun(RunRequest(name: "direct"))
    try store.appendMetrics(
      [MetricPoint(key: "x", value: 1, step: 2), MetricPoint(key: "x", value: 2, step: 1)],
      to: run.id, heartbeat: nil)
    #expect(try store.metricSeries(of: run.id, key: "x").map(\.step) == [1, 2])
    #expect(try store.latestMetrics(of: run.id) == ["x": 1])
    try store.endRun(
      run.id, status: .killed, lastPoints: [MetricPoint(key: "x", value: 3, step: 2)])
    #expect(try store.latestMetrics(of: run.id) == ["x": 3])
    #expect(try store.run(run.id).status == .killed)
  }

  @Test(arguments: Backend.all) func loggingFlushesOnSizeAndInterval(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let reader = try fixture.openReadOnly()
    let run = try store.startRun(name: "buffered", experiment: nil, params: [:])
    func stored() throws -> Int { try reader.metricSeries(of: run.id, key: "loss").count }
    try run.log("loss", value: 1, step: 0)
    #expect(try stored() == 0)  // buffered
    try run.log(
      batch: (1..<RunLogger.flushSize).map { MetricPoint(key: "loss", value: 1, step: $0) })
    #expect(try stored() == RunLogger.flushSize)  // size flush
    try run.log("loss", value: 1, step: -1)
    let deadline = Date().addingTimeInterval(RunLogger.flushInterval * 5)
    while try stored() == RunLogger.flushSize, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    #expect(try stored() == RunLogger.flushSize + 1)  // interval flush
    try run.finish()
  }

  @Test(arguments: Backend.all) func heartbeatAdvancesWhileIdle(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "idle", experiment: nil, params: [:])
    let first = try #require(try store.run(run.id).heartbeatAt)
    let deadline = Date().addingTimeInterval(RunLogger.heartbeatInterval * 3)
    while try store.run(run.id).heartbeatAt! == first, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.2)
    }
    #expect(try store.run(run.id).heartbeatAt! > first)
    try run.finish()
  }

  @Test(arguments: Backend.all) func aSampledSeriesKeepsEndsSpikesAndItsSize(_ backend: Backend)
    throws
  {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "long", experiment: nil, params: [:])
    var points = (0..<5_000).map {
      MetricPoint(key: "loss", value: 1 / (1 + Double($0) / 100), step: $0, epoch: $0 / 1000)
    }
    points[2_345].value = 9  // a spike
    points[3_000].value = .nan  // counted, never drawn
    try run.log(batch: points)
    try run.log(batch: [MetricPoint(key: "short", value: 1, step: 0), MetricPoint(key: "short", value: .nan, step: 1)])
    try run.finish()
    let sampled = try store.sampledMetricSeries(of: run.id, key: "loss", buckets: 100)
    #expect(sampled.total == 5_000)
    #expect(sampled.points.count <= 202)
    #expect(sampled.points.count > 100)
    #expect(sampled.points.first?.step == 0)
    #expect(sampled.points.last?.step == 4_999)
    #expect(sampled.points.contains { $0.step == 2_345 && $0.value == 9 })
    #expect(sampled.points.allSatisfy { $0.value.isFinite })
    #expect(sampled.points.map(\.step) == sampled.points.map(\.step).sorted())
    #expect(sampled.points.first(where: { $0.step == 2_345 })?.epoch == 2)
    // The same as sampling the whole series read back (any backend, streamed or not).
    let whole = try store.metricSeries(of: run.id, key: "loss")
    #expect(sampled == SampledSeries.sample(whole, buckets: 100))
    // Few points come back whole, NaN included; an unknown key is empty.
    let short = try store.sampledMetricSeries(of: run.id, key: "short", buckets: 100)
    #expect(short.total == 2)
    #expect(short.points.map(\.step) == [0, 1])
    #expect(try store.sampledMetricSeries(of: run.id, key: "nothing", buckets: 10).total == 0)
    expectTrackingError(.runNotFound) { _ = try store.sampledMetricSeries(of: 987_654, key: "loss", buckets: 10) }
  }
}
