import ContinualMetrics

/// The accuracy matrix of a continual-learning run and its summaries.
///
/// `value(trainedThrough: i, task: j)` is R[i][j], the score on task j after training through
/// task i, for i = 1...T; row i = 0 is the baseline b[j] of the untrained model.
///
/// ```swift
/// let matrix = AccuracyMatrix(
///   metric: "accuracy", rows: [0: [0.1, 0.1], 1: [0.9, 0.2], 2: [0.7, 0.8]])
/// matrix.backwardTransfer  // (0.7 - 0.9) / 1 = -0.2
/// ```
public struct AccuracyMatrix: Equatable, Sendable {
  /// The score the matrix holds ("accuracy", or e.g. "neg_mse" for regression).
  public var metric: String
  /// T: the number of tasks (the widest row).
  public var taskCount: Int
  /// Rows by trained-through index; row i holds scores for tasks 1...count (index j-1).
  public var rows: [Int: [Double]]

  /// Creates a matrix from rows (index 0 = baseline).
  public init(metric: String, rows: [Int: [Double]]) {
    self.metric = metric
    self.rows = rows
    self.taskCount = rows.values.map(\.count).max() ?? 0
  }

  /// R[i][j] (i = 0 is the baseline b[j]); nil when not recorded.
  public func value(trainedThrough i: Int, task j: Int) -> Double? {
    guard let row = rows[i], j >= 1, j <= row.count else { return nil }
    return row[j - 1]
  }

  private func r(_ i: Int, _ j: Int) -> Double? { value(trainedThrough: i, task: j) }

  /// ACC: the average score after the last task (formula in `ContinualMetrics`).
  public var accuracy: Double? { ContinualMetrics.averageAccuracy(taskCount: taskCount, score: r) }

  /// BWT: how later tasks changed earlier ones (formula in `ContinualMetrics`).
  public var backwardTransfer: Double? {
    ContinualMetrics.backwardTransfer(taskCount: taskCount, score: r)
  }

  /// FWT: how earlier tasks helped unseen ones; needs the baseline row 0.
  public var forwardTransfer: Double? {
    ContinualMetrics.forwardTransfer(taskCount: taskCount, score: r)
  }

  /// Average forgetting after the last task (Chaudhry et al. 2018).
  public var forgetting: Double? {
    ContinualMetrics.averageForgetting(taskCount: taskCount, score: r)
  }

  /// Forgetting of task j after training through task k: max_{l<k} R[l][j] − R[k][j].
  public func forgetting(task j: Int, after k: Int) -> Double? {
    ContinualMetrics.forgetting(task: j, after: k, score: r)
  }
}
