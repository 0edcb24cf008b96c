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

  /// ACC = (1/T) Σ_j R[T][j]  (Lopez-Paz & Ranzato, GEM 2017).
  public var averageAccuracy: Double? {
    let t = taskCount
    guard t >= 1 else { return nil }
    var sum = 0.0
    for j in 1...t {
      guard let value = score(trainedThrough: t, task: j) else { return nil }
      sum += value
    }
    return sum / Double(t)
  }

  /// BWT = (1/(T−1)) Σ_{j<T} (R[T][j] − R[j][j])  (GEM 2017); nil for T < 2.
  public var backwardTransfer: Double? {
    let t = taskCount
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 1..<t {
      guard let last = score(trainedThrough: t, task: j),
        let then = score(trainedThrough: j, task: j)
      else { return nil }
      sum += last - then
    }
    return sum / Double(t - 1)
  }

  /// FWT = (1/(T−1)) Σ_{j≥2} (R[j−1][j] − b[j])  (GEM 2017); nil for T < 2.
  public var forwardTransfer: Double? {
    let t = taskCount
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 2...t {
      guard let before = score(trainedThrough: j - 1, task: j),
        let base = score(trainedThrough: 0, task: j)
      else { return nil }
      sum += before - base
    }
    return sum / Double(t - 1)
  }

  /// f_j after task k: max_{l<k} R[l][j] − R[k][j]  (Chaudhry et al., 2018); l runs over
  /// trained rows (1...k−1) that know task j.
  public func forgetting(task j: Int, after k: Int) -> Double? {
    guard k >= 2, j < k, let now = score(trainedThrough: k, task: j) else { return nil }
    let earlier = (1..<k).compactMap { score(trainedThrough: $0, task: j) }
    guard let best = earlier.max() else { return nil }
    return best - now
  }

  /// F = (1/(T−1)) Σ_{j<T} f_j at k = T  (Chaudhry et al., 2018); nil for T < 2.
  public var averageForgetting: Double? {
    let t = taskCount
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 1..<t {
      guard let f = forgetting(task: j, after: t) else { return nil }
      sum += f
    }
    return sum / Double(t - 1)
  }
}
