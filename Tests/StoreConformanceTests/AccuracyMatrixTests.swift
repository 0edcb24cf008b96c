import Testing
import Tracking

/// The matrix summaries against hand-computed fixtures (DESIGN.md formulas, T−1 denominators).
struct AccuracyMatrixTests {
  // T = 3. Row 0 is the baseline b.
  //            task1 task2 task3
  // b       :  0.10  0.20  0.30
  // after 1 :  0.90  0.40  0.35
  // after 2 :  0.70  0.80  0.50
  // after 3 :  0.60  0.75  0.85
  let matrix = AccuracyMatrix(
    metric: "accuracy",
    rows: [
      0: [0.10, 0.20, 0.30], 1: [0.90, 0.40, 0.35], 2: [0.70, 0.80, 0.50],
      3: [0.60, 0.75, 0.85],
    ])

  @Test func accuracyIsTheMeanOfTheLastRow() {
    // (0.60 + 0.75 + 0.85) / 3 = 2.20 / 3
    #expect(abs(matrix.accuracy! - 2.20 / 3) < 1e-12)
  }

  @Test func backwardTransferUsesTMinusOne() {
    // ((0.60 − 0.90) + (0.75 − 0.80)) / 2 = (−0.30 − 0.05) / 2 = −0.175
    #expect(abs(matrix.backwardTransfer! - (-0.175)) < 1e-12)
  }

  @Test func forwardTransferComparesWithTheBaseline() {
    // ((R[1][2] − b2) + (R[2][3] − b3)) / 2 = ((0.40 − 0.20) + (0.50 − 0.30)) / 2 = 0.20
    #expect(abs(matrix.forwardTransfer! - 0.20) < 1e-12)
  }

  @Test func forgettingTakesTheBestEarlierScore() {
    // f1 = max(0.90, 0.70) − 0.60 = 0.30 ; f2 = max(0.40, 0.80) − 0.75 = 0.05 ; F = 0.35 / 2
    #expect(abs(matrix.forgetting! - 0.175) < 1e-12)
    #expect(abs(matrix.forgetting(task: 1, after: 2)! - 0.20) < 1e-12)
    #expect(abs(matrix.forgetting(task: 1, after: 3)! - 0.30) < 1e-12)
  }

  @Test func twoTasksDivideByOne() {
    let two = AccuracyMatrix(
      metric: "accuracy", rows: [0: [0.5, 0.1], 1: [0.9, 0.3], 2: [0.4, 0.8]])
    #expect(abs(two.accuracy! - 0.6) < 1e-12)
    #expect(abs(two.backwardTransfer! - (-0.5)) < 1e-12)  // (0.4 − 0.9) / 1
    #expect(abs(two.forwardTransfer! - 0.2) < 1e-12)  // (0.3 − 0.1) / 1
    #expect(abs(two.forgetting! - 0.5) < 1e-12)  // (0.9 − 0.4) / 1
  }

  @Test func singleTaskHasNoTransfer() {
    let one = AccuracyMatrix(metric: "accuracy", rows: [0: [0.1], 1: [0.9]])
    #expect(one.accuracy == 0.9)
    #expect(one.backwardTransfer == nil)
    #expect(one.forwardTransfer == nil)
    #expect(one.forgetting == nil)
  }

  @Test func incompleteMatrixHasNoSummary() {
    let partial = AccuracyMatrix(
      metric: "accuracy", rows: [0: [0.1, 0.1, 0.1], 1: [0.9, 0.1, 0.1]])
    #expect(partial.taskCount == 3)
    #expect(partial.accuracy == nil)
    #expect(partial.backwardTransfer == nil)
    #expect(partial.value(trainedThrough: 1, task: 1) == 0.9)
    #expect(partial.value(trainedThrough: 2, task: 1) == nil)
  }

  @Test func withoutBaselineThereIsNoForwardTransfer() {
    let noBaseline = AccuracyMatrix(metric: "accuracy", rows: [1: [0.9, 0.3], 2: [0.4, 0.8]])
    #expect(noBaseline.forwardTransfer == nil)
    #expect(abs(noBaseline.backwardTransfer! - (-0.5)) < 1e-12)
  }
}
