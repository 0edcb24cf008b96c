/// The summaries of a continual-learning score matrix, written once for every layer.
///
/// Both the learner (`Learning.ScoreMatrix`) and the store (`Tracking.AccuracyMatrix`) read
/// their matrices through a `score(i, j)` function: R[i][j] is the score on task j after
/// training through task i (1-based), i = 0 is the untrained baseline b[j], and nil is an
/// entry that was never measured.
///
/// **The rule for missing and NaN cells** (one rule for every summary): NaN and missing are
/// the same, "not measured" (the store keeps a NaN as NULL). A sum needs every cell it adds:
/// one gap makes the summary nil. A max (forgetting's best earlier score) runs over the
/// measured cells only, and is nil when none is measured: a run continued with `--from` on a
/// longer stream never measured the new tasks in its earlier rows, and its forgetting must
/// still be defined. So the result never depends on where a NaN sits (Swift's `max` keeps or
/// drops a NaN by its position). T < 1 (ACC) or T < 2 (the others) is nil too. ±infinity is
/// a value, not a gap.
///
/// ```swift
/// let rows: [[Double]] = [[0.1, 0.1], [0.9, 0.2], [0.7, 0.8]]  // row 0 = baseline
/// ContinualMetrics.backwardTransfer(taskCount: 2) { rows[$0][$1 - 1] }  // -0.2
/// ```
public enum ContinualMetrics {
  /// R[i][j] with i = 0 the baseline; nil when not measured.
  public typealias Score = (_ trainedThrough: Int, _ task: Int) -> Double?

  /// R[i][j] as the summaries read it: nil when missing or NaN (the rule above).
  private static func cell(_ r: Score, _ i: Int, _ j: Int) -> Double? {
    guard let value = r(i, j), !value.isNaN else { return nil }
    return value
  }

  /// ACC = (1/T) Σ_j R[T][j] — average score after the last task
  /// (Lopez-Paz & Ranzato, GEM 2017). nil for T < 1.
  public static func averageAccuracy(taskCount t: Int, score r: Score) -> Double? {
    guard t >= 1 else { return nil }
    var sum = 0.0
    for j in 1...t {
      guard let value = cell(r, t, j) else { return nil }
      sum += value
    }
    return sum / Double(t)
  }

  /// BWT = (1/(T−1)) Σ_{j<T} (R[T][j] − R[j][j]) — how later tasks changed earlier ones
  /// (GEM 2017). nil for T < 2.
  public static func backwardTransfer(taskCount t: Int, score r: Score) -> Double? {
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 1..<t {
      guard let last = cell(r, t, j), let then = cell(r, j, j) else { return nil }
      sum += last - then
    }
    return sum / Double(t - 1)
  }

  /// FWT = (1/(T−1)) Σ_{j≥2} (R[j−1][j] − b[j]) — how earlier tasks helped unseen ones
  /// (GEM 2017). nil for T < 2 or without a baseline.
  public static func forwardTransfer(taskCount t: Int, score r: Score) -> Double? {
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 2...t {
      guard let before = cell(r, j - 1, j), let baseline = cell(r, 0, j) else { return nil }
      sum += before - baseline
    }
    return sum / Double(t - 1)
  }

  /// f_j after task k = max_{l<k} R[l][j] − R[k][j] (Chaudhry et al. 2018); the max runs
  /// over the measured rows among 1...k−1 (the rule above), and R[k][j] must be measured.
  /// nil unless j < k.
  public static func forgetting(task j: Int, after k: Int, score r: Score) -> Double? {
    guard k >= 2, j >= 1, j < k, let now = cell(r, k, j) else { return nil }
    var best: Double?
    for l in 1..<k {
      guard let value = cell(r, l, j) else { continue }
      if best == nil || value > best! { best = value }
    }
    return best.map { $0 - now }
  }

  /// F = (1/(T−1)) Σ_{j<T} f_j at k = T — average forgetting after the last task
  /// (Chaudhry et al. 2018). nil for T < 2.
  public static func averageForgetting(taskCount t: Int, score r: Score) -> Double? {
    guard t >= 2 else { return nil }
    var sum = 0.0
    for j in 1..<t {
      guard let f = forgetting(task: j, after: t, score: r) else { return nil }
      sum += f
    }
    return sum / Double(t - 1)
  }
}
