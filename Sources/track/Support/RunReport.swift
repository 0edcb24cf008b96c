import Foundation
import Tracking

/// Everything `show`, `diff` and `export` print about one run, read once from the store.
struct RunReport {
  var run: Run
  var params: [Param]
  var tags: [String: String]
  var tasks: [TaskRecord]
  var matrix: AccuracyMatrix
  var latestMetrics: [String: Double]
  var series: [String: [MetricPoint]]
  var checkpoints: [CheckpointRecord]
  var knowledgeCount: Int

  /// Reads the run `id`; `withSeries` also loads every metric's points (for curves).
  init(store: Store, id: RunID, withSeries: Bool) throws {
    run = try store.run(id)
    params = try store.params(of: id)
    tags = try store.tags(of: id)
    tasks = try store.tasks(of: id)
    matrix = try store.matrix(of: id)
    latestMetrics = try store.latestMetrics(of: id)
    var series: [String: [MetricPoint]] = [:]
    if withSeries {
      for key in try store.metricKeys(of: id) {
        series[key] = try store.metricSeries(of: id, key: key)
      }
    }
    self.series = series
    checkpoints = try store.checkpoints(of: id)
    knowledgeCount = try store.knowledgeBaseCount(of: id)
  }

  /// Parameters as a dictionary.
  var paramValues: [String: ParamValue] {
    Dictionary(params.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
  }

  /// ACC, BWT, FWT and forgetting, when the run has a matrix (the GEM 2017 / Chaudhry 2018
  /// formulas are computed once, in Tracking's AccuracyMatrix).
  var summary: [(String, Double?)] {
    guard matrix.taskCount > 0 else { return [] }
    return [
      ("acc", matrix.accuracy), ("bwt", matrix.backwardTransfer),
      ("fwt", matrix.forwardTransfer), ("forgetting", matrix.forgetting),
    ]
  }
}
