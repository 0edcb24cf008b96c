import ContinualMetrics
import Foundation

/// The matrix R of a continual-learning stream and its summaries.
///
/// `R[i][j]` is the score on task j (1...T) after training through task i (1...T);
/// `baseline[j]` (b) is the score of the untrained model. Scores are accuracies, or for
/// regression a score where higher is better (e.g. −MSE). Unknown entries (e.g. of an earlier
/// run that never saw a later task) are `nil`.
public struct ScoreMatrix: Sendable, Equatable {
  /// b: the untrained model's score on each task (index j−1).
  public var baseline: [Double?]
  /// R: `rows[i-1][j-1]` is the score on task j after training through task i.
  public var rows: [[Double?]]

  /// A matrix from the baseline and the rows trained so far.
  public init(baseline: [Double?], rows: [[Double?]]) {
    self.baseline = baseline
    self.rows = rows
  }

  /// A complete matrix without unknown entries.
  public init(baseline: [Double], rows: [[Double]]) {
    let optionalBaseline: [Double?] = baseline.map { $0 }
    let optionalRows: [[Double?]] = rows.map { $0.map { $0 } }
    self.init(baseline: optionalBaseline, rows: optionalRows)
  }

  /// T: the number of tasks trained (rows).
  public var taskCount: Int { rows.count }

  /// R[i][j] with 1-based i and j; i = 0 reads the baseline.
  public func score(trainedThrough i: Int, task j: Int) -> Double? {
    let row = i == 0 ? baseline : rows[i - 1]
    return j - 1 < row.count ? row[j - 1] : nil
  }

  /// ACC: the average score after the last task (formula in `ContinualMetrics`).
  public var averageAccuracy: Double? {
    ContinualMetrics.averageAccuracy(taskCount: taskCount, score: score(trainedThrough:task:))
  }

  /// BWT: how later tasks changed earlier ones (formula in `ContinualMetrics`).
  public var backwardTransfer: Double? {
    ContinualMetrics.backwardTransfer(taskCount: taskCount, score: score(trainedThrough:task:))
  }

  /// FWT: how earlier tasks helped unseen ones (formula in `ContinualMetrics`).
  public var forwardTransfer: Double? {
    ContinualMetrics.forwardTransfer(taskCount: taskCount, score: score(trainedThrough:task:))
  }

  /// f_j after task k: max_{l<k} R[l][j] − R[k][j]  (Chaudhry et al., 2018).
  public func forgetting(task j: Int, after k: Int) -> Double? {
    ContinualMetrics.forgetting(task: j, after: k, score: score(trainedThrough:task:))
  }

  /// F: average forgetting after the last task (Chaudhry et al., 2018).
  public var averageForgetting: Double? {
    ContinualMetrics.averageForgetting(taskCount: taskCount, score: score(trainedThrough:task:))
  }
}
