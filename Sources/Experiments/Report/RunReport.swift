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
  public var checkpoints: [CheckpointRecord]
  public var knowledgeCount: Int
  /// The knowledge base's entries by task.
  public var knowledgeByTask: [Int: Int]

  /// Reads the run `id`; `withSeries` also loads every metric's points (for curves).
  public init(store: any TrackStore, id: RunID, withSeries: Bool) throws {
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
    knowledgeByTask = knowledgeCount == 0 ? [:] : try store.knowledgeBaseCounts(of: id)
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
