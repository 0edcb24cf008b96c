import Testing

@testable import Learning

@Suite struct ScoreMatrixTests {
  // Hand-computed fixture, T = 3:
  //   b  = [0.10, 0.20, 0.30]
  //   R1 = [0.90, 0.85, 0.35]
  //   R2 = [0.60, 0.80, 0.40]
  //   R3 = [0.50, 0.70, 0.95]
  // ACC = (0.5 + 0.7 + 0.95) / 3            = 0.716666...
  // BWT = ((0.5 − 0.9) + (0.7 − 0.8)) / 2   = −0.25   (T−1 = 2, not T = 3)
  // FWT = ((0.85 − 0.2) + (0.4 − 0.3)) / 2  = 0.375
  // F   = ((0.9 − 0.5) + (0.85 − 0.7)) / 2  = 0.275   (max over earlier rows, not R[j][j])
  private let matrix = ScoreMatrix(
    baseline: [0.10, 0.20, 0.30],
    rows: [[0.90, 0.85, 0.35], [0.60, 0.80, 0.40], [0.50, 0.70, 0.95]])

  @Test func summariesMatchHandComputedValues() throws {
    #expect(abs(try #require(matrix.averageAccuracy) - 2.15 / 3) < 1e-12)
    #expect(abs(try #require(matrix.backwardTransfer) - -0.25) < 1e-12)
    #expect(abs(try #require(matrix.forwardTransfer) - 0.375) < 1e-12)
    #expect(abs(try #require(matrix.averageForgetting) - 0.275) < 1e-12)
    #expect(abs(try #require(matrix.forgetting(task: 1, after: 2)) - 0.3) < 1e-12)
  }

  @Test func singleTaskHasNoTransferOrForgetting() {
    let one = ScoreMatrix(baseline: [0.1], rows: [[0.8]])
    #expect(one.averageAccuracy == 0.8)
    #expect(one.backwardTransfer == nil)
    #expect(one.forwardTransfer == nil)
    #expect(one.averageForgetting == nil)
  }

  @Test func unknownEntriesOutsideTheFormulasDoNotMatter() {
    // An extended run: row 1 never saw task 3 (nil), which no formula reads.
    let extended = ScoreMatrix(
      baseline: [0.1, 0.2, 0.3],
      rows: [[0.9, 0.85, nil], [0.6, 0.8, 0.4], [0.5, 0.7, 0.95]])
    #expect(extended.backwardTransfer == matrix.backwardTransfer)
    #expect(extended.forwardTransfer == matrix.forwardTransfer)
    #expect(extended.averageForgetting == matrix.averageForgetting)
  }
}
