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

  /// ACC = (1/T) Σ_j R[T][j] — average score after the last task
  /// (GEM, Lopez-Paz & Ranzato 2017).
  public var accuracy: Double? {
    let t = taskCount
    guard t >= 1 else { return nil }
    var sum = 0.0
    for j in 1...t {
      guard let value = r(t, j) else { return nil }
      sum += value
    }
    return sum / Double(t)
  }

  /// BWT = (1/(T−1)) Σ_{j<T} (R[T][j] − R[j][j]) — how later tasks changed earlier ones
  /// (GEM, Lopez-Paz & Ranzato 2017). nil for T < 2.
  public var backwardTransfer: Double? {
    let t = taskCount
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 1..<t {
      guard let last = r(t, j), let just = r(j, j) else { return nil }
      sum += last - just
    }
    return sum / Double(t - 1)
  }

  /// FWT = (1/(T−1)) Σ_{j≥2} (R[j−1][j] − b[j]) — how earlier tasks helped unseen ones
  /// (GEM, Lopez-Paz & Ranzato 2017). nil for T < 2 or without a baseline row.
  public var forwardTransfer: Double? {
    let t = taskCount
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 2...t {
      guard let before = r(j - 1, j), let baseline = r(0, j) else { return nil }
      sum += before - baseline
    }
    return sum / Double(t - 1)
  }

  /// F = (1/(T−1)) Σ_{j<T} f_j with f_j = max_{l<T} R[l][j] − R[T][j] — average forgetting
  /// after the last task (Chaudhry et al. 2018; l runs over trained rows 1...T−1). nil for T < 2.
  public var forgetting: Double? {
    let t = taskCount
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 1..<t {
      guard let last = r(t, j) else { return nil }
      var best = -Double.infinity
      for l in 1..<t {
        if let value = r(l, j) { best = max(best, value) }
      }
      guard best > -Double.infinity else { return nil }
      sum += best - last
    }
    return sum / Double(t - 1)
  }

  /// Forgetting of task j after training through task k: max_{l<k} R[l][j] − R[k][j].
  public func forgetting(task j: Int, after k: Int) -> Double? {
    guard k >= 2, let now = r(k, j) else { return nil }
    let earlier = (1..<k).compactMap { r($0, j) }
    guard let best = earlier.max() else { return nil }
    return best - now
  }
}
