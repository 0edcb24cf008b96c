import ContinualMetrics
import Testing

/// The matrix summaries against hand-computed fixtures, and the one rule for gaps: NaN and
/// missing are the same; a sum needs every cell, forgetting's max runs over measured cells.
@Suite struct ContinualMetricsTests {
  // T = 4, row 0 = baseline b:
  //   b  = [0.1, 0.2, 0.3, 0.4]
  //   R1 = [0.8, 0.3, 0.2, 0.1]
  //   R2 = [0.6, 0.9, 0.4, 0.3]
  //   R3 = [0.7, 0.5, 0.8, 0.5]
  //   R4 = [0.4, 0.6, 0.6, 0.9]
  // ACC = (0.4 + 0.6 + 0.6 + 0.9) / 4                        = 0.625
  // BWT = ((0.4 − 0.8) + (0.6 − 0.9) + (0.6 − 0.8)) / 3      = −0.3   (T−1 = 3)
  // FWT = ((0.3 − 0.2) + (0.4 − 0.3) + (0.5 − 0.4)) / 3      = 0.1    (T−1 = 3)
  // f1 = max(0.8, 0.6, 0.7) − 0.4 = 0.4; f2 = max(0.3, 0.9, 0.5) − 0.6 = 0.3;
  // f3 = max(0.2, 0.4, 0.8) − 0.6 = 0.2;  F = 0.9 / 3                = 0.3    (T−1 = 3)
  static let four: [[Double?]] = [
    [0.1, 0.2, 0.3, 0.4], [0.8, 0.3, 0.2, 0.1], [0.6, 0.9, 0.4, 0.3],
    [0.7, 0.5, 0.8, 0.5], [0.4, 0.6, 0.6, 0.9],
  ]

  struct Summaries: Equatable, CustomStringConvertible {
    var accuracy, backward, forward, forgetting: Double?
    var description: String { "ACC \(s(accuracy)) BWT \(s(backward)) FWT \(s(forward)) F \(s(forgetting))" }
    private func s(_ x: Double?) -> String { x.map { "\($0)" } ?? "nil" }

    /// Equal within rounding, nil where nil.
    func matches(_ other: Summaries) -> Bool {
      func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return abs(a - b) < 1e-12
        default: return false
        }
      }
      return close(accuracy, other.accuracy) && close(backward, other.backward)
        && close(forward, other.forward) && close(forgetting, other.forgetting)
    }
  }

  static func summaries(_ rows: [[Double?]]) -> Summaries {
    let t = rows.count - 1
    let r: ContinualMetrics.Score = { i, j in rows[i][j - 1] }
    return Summaries(
      accuracy: ContinualMetrics.averageAccuracy(taskCount: t, score: r),
      backward: ContinualMetrics.backwardTransfer(taskCount: t, score: r),
      forward: ContinualMetrics.forwardTransfer(taskCount: t, score: r),
      forgetting: ContinualMetrics.averageForgetting(taskCount: t, score: r))
  }

  static func replacing(_ i: Int, _ j: Int, with value: Double?) -> [[Double?]] {
    var rows = four
    rows[i][j - 1] = value
    return rows
  }

  @Test func fourTasksMatchTheHandComputedValues() {
    let got = Self.summaries(Self.four)
    #expect(got.matches(Summaries(accuracy: 0.625, backward: -0.3, forward: 0.1, forgetting: 0.3)),
            "\(got)")
    let r: ContinualMetrics.Score = { i, j in Self.four[i][j - 1] }
    let f13 = ContinualMetrics.forgetting(task: 1, after: 3, score: r)
    let f23 = ContinualMetrics.forgetting(task: 2, after: 3, score: r)
    #expect(abs((f13 ?? .nan) - 0.1) < 1e-12 && abs((f23 ?? .nan) - 0.4) < 1e-12)
    #expect(ContinualMetrics.forgetting(task: 3, after: 3, score: r) == nil, "needs j < k")
  }

  @Test func twoTasksDivideByOne() {
    // b = [0.1, 0.2], R1 = [0.9, 0.3], R2 = [0.5, 0.8]:
    // ACC = 0.65, BWT = 0.5 − 0.9 = −0.4, FWT = 0.3 − 0.2 = 0.1, F = 0.9 − 0.5 = 0.4.
    let got = Self.summaries([[0.1, 0.2], [0.9, 0.3], [0.5, 0.8]])
    #expect(got.matches(Summaries(accuracy: 0.65, backward: -0.4, forward: 0.1, forgetting: 0.4)),
            "\(got)")
    let one = Self.summaries([[0.1], [0.7]])
    #expect(one.matches(Summaries(accuracy: 0.7, backward: nil, forward: nil, forgetting: nil)))
  }

  /// (row i, task j) of the gap, and the summaries it leaves.
  static let gaps: [(Int, Int, Summaries)] = [
    // R[1][1]: BWT's R[j][j] is gone; f1 = max(0.6, 0.7) − 0.4 = 0.3, F = 0.8 / 3.
    (1, 1, Summaries(accuracy: 0.625, backward: nil, forward: 0.1, forgetting: 0.8 / 3)),
    // R[2][1]: f1 = max(0.8, 0.7) − 0.4 = 0.4 still (old code: 0.3 here but nil for R[1][1]).
    (2, 1, Summaries(accuracy: 0.625, backward: -0.3, forward: 0.1, forgetting: 0.3)),
    // R[3][1]: f1 = max(0.8, 0.6) − 0.4 = 0.4.
    (3, 1, Summaries(accuracy: 0.625, backward: -0.3, forward: 0.1, forgetting: 0.3)),
    // R[4][2]: the last row, read by ACC, BWT and f2 (not in a max).
    (4, 2, Summaries(accuracy: nil, backward: nil, forward: 0.1, forgetting: nil)),
    // R[4][4]: only ACC reads it (f and BWT run over j < T).
    (4, 4, Summaries(accuracy: nil, backward: -0.3, forward: 0.1, forgetting: 0.3)),
    // R[2][3]: read by FWT (R[j−1][j]); f3 = max(0.2, 0.8) − 0.6 = 0.2 still.
    (2, 3, Summaries(accuracy: 0.625, backward: -0.3, forward: nil, forgetting: 0.3)),
    // b[3]: only FWT reads the baseline.
    (0, 3, Summaries(accuracy: 0.625, backward: -0.3, forward: nil, forgetting: 0.3)),
    // R[1][4]: no formula reads it.
    (1, 4, Summaries(accuracy: 0.625, backward: -0.3, forward: 0.1, forgetting: 0.3)),
  ]

  @Test(arguments: gaps)
  func aNaNOrMissingCellVoidsExactlyTheSummariesThatReadIt(_ gap: (Int, Int, Summaries)) {
    let (i, j, expected) = gap
    for value in [nil, Double.nan] {
      let got = Self.summaries(Self.replacing(i, j, with: value))
      #expect(got.matches(expected), "R[\(i)][\(j)] = \(String(describing: value)): \(got)")
    }
  }

  @Test func forgettingTakesTheBestMeasuredEarlierScoreWhereverTheNaNSits() {
    // f1 after 4 over R[1..3][1] = (0.8, 0.6, 0.7) minus R[4][1] = 0.4, one cell NaN.
    for (l, expected) in [(1, 0.3), (2, 0.4), (3, 0.4)] {
      let rows = Self.replacing(l, 1, with: .nan)
      let r: ContinualMetrics.Score = { i, j in rows[i][j - 1] }
      let f = ContinualMetrics.forgetting(task: 1, after: 4, score: r)
      #expect(abs((f ?? .nan) - expected) < 1e-12, "NaN in row \(l): \(String(describing: f))")
    }
    var none = Self.four
    for l in 1...3 { none[l][0] = .nan }
    let nothing: ContinualMetrics.Score = { i, j in none[i][j - 1] }
    #expect(ContinualMetrics.forgetting(task: 1, after: 4, score: nothing) == nil,
            "no earlier score measured")
    // A run continued on a longer stream never measured task 3 in row 1 (--from).
    var continued = Self.four
    continued[1][2] = nil
    let r3: ContinualMetrics.Score = { i, j in continued[i][j - 1] }
    #expect(abs((ContinualMetrics.averageForgetting(taskCount: 4, score: r3) ?? .nan) - 0.3) < 1e-12)
    let infinite = Self.replacing(2, 1, with: .infinity)
    let r: ContinualMetrics.Score = { i, j in infinite[i][j - 1] }
    #expect(ContinualMetrics.forgetting(task: 1, after: 4, score: r) == .infinity,
            "infinity is a value")
  }
}
