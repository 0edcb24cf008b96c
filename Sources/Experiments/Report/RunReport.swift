import Foundation
import Tracking

/// Everything `show`, `diff` and `export` print about one run, read once from the store.
public struct RunReport {
  public var run: Run
  public var params: [Param]
  public var tags: [String: String]
  public var tasks: [TaskRecord]
  public var matrix: AccuracyMatrix
  public var latestMetrics: [String: Double]
  public var series: [String: [MetricPoint]]
  /// How many points each series has (more than `series` holds when sampled).
  public var seriesTotals: [String: Int]
  public var checkpoints: [CheckpointRecord]
  public var knowledgeCount: Int
  /// The knowledge base's entries by task.
  public var knowledgeByTask: [Int: Int]

  /// Reads the run `id`; `withSeries` also loads every metric's points (for curves), or with
  /// `sampledTo` only what a chart of that many pixel columns draws (`SeriesSampler`).
  public init(store: any TrackStore, id: RunID, withSeries: Bool, sampledTo buckets: Int? = nil)
    throws
  {
    run = try store.run(id)
    params = try store.params(of: id)
    tags = try store.tags(of: id)
    tasks = try store.tasks(of: id)
    matrix = try store.matrix(of: id)
    latestMetrics = try store.latestMetrics(of: id)
    var series: [String: [MetricPoint]] = [:]
    var totals: [String: Int] = [:]
    if withSeries {
      for key in try store.metricKeys(of: id) {
        if let buckets {
          let sampled = try store.sampledMetricSeries(of: id, key: key, buckets: buckets)
          series[key] = sampled.points
          totals[key] = sampled.total
        } else {
          let points = try store.metricSeries(of: id, key: key)
          series[key] = points
          totals[key] = points.count
        }
      }
    }
    self.series = series
    seriesTotals = totals
    checkpoints = try store.checkpoints(of: id)
    knowledgeByTask = try store.knowledgeBaseCounts(of: id)
    knowledgeCount = knowledgeByTask.values.reduce(0, +)
  }

  /// Parameters as a dictionary.
  public var paramValues: [String: ParamValue] {
    Dictionary(params.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
  }

  /// ACC, BWT, FWT and forgetting, when the run has a matrix (the GEM 2017 / Chaudhry 2018
  /// formulas are computed once, in Tracking's AccuracyMatrix).
  public var summary: [(String, Double?)] {
    guard matrix.taskCount > 0 else { return [] }
    return [
      ("acc", matrix.accuracy), ("bwt", matrix.backwardTransfer),
      ("fwt", matrix.forwardTransfer), ("forgetting", matrix.forgetting),
    ]
  }
}
