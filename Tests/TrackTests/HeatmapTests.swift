@testable import Learning
import Testing

@testable import Experiments
@testable import track

/// The matrix heatmap and the progress fraction.
struct HeatmapTests {
  @Test func colorsLowRedAndHighGreenOnlyOnAColorTerminal() {
    let rows: [Int: [Double]] = [0: [0.1, 0.1], 1: [0.9, 0.1], 2: [0.5, 0.8]]
    let colored = Terminal(isInteractive: true, usesColor: true, width: 80)
    let text = Heatmap.table(rows: rows, taskCount: 2, terminal: colored).aligned(terminal: colored)
    #expect(text.contains("\u{1B}[38;5;16;48;5;196m0.1000"))  // lowest: red
    #expect(text.contains("\u{1B}[38;5;16;48;5;46m0.9000"))  // highest: green
    let plain = Terminal(isInteractive: false, usesColor: false, width: 80)
    let bare = Heatmap.table(rows: rows, taskCount: 2, terminal: plain).aligned(terminal: plain)
    #expect(!bare.contains("\u{1B}"))
    #expect(bare.contains("baseline  0.1000  0.1000"))
    #expect(bare.contains("task 2    0.5000  0.8000"))
  }

  @Test func csvCellsAreExactAndUnmeasuredCellsEmpty() {
    // Row 1 of a run continued on a longer stream never measured task 2 (NaN).
    let rows: [Int: [Double]] = [0: [0.1, 0.25], 1: [0.123456789, .nan], 2: [0.5, 0.8]]
    let plain = Terminal(isInteractive: false, usesColor: false, width: 80)
    let csv = Heatmap.table(rows: rows, taskCount: 2, terminal: plain, exact: true)
      .rendered(.csv, terminal: plain)
    #expect(csv == "after,task 1,task 2\nbaseline,0.1,0.25\ntask 1,0.123456789,\ntask 2,0.5,0.8\n")
    let shown = Heatmap.table(rows: rows, taskCount: 2, terminal: plain).aligned(terminal: plain)
    #expect(shown.contains("task 1    0.1235       —"))
  }

  @Test func progressFractionCountsTasksEpochsAndBatches() {
    func progress(_ task: Int, _ epoch: Int, _ batch: Int) -> TrainingProgress {
      TrainingProgress(
        phase: .training, task: task, taskCount: 4, taskName: "t", epoch: epoch, epochCount: 2,
        batch: batch, batchCount: 10, loss: 1)
    }
    #expect(RunCommand.fraction(progress(1, 1, 10)) == 0.125)
    #expect(RunCommand.fraction(progress(3, 2, 5)) == (2 + 0.75) / 4)
    #expect(RunCommand.fraction(progress(4, 2, 10)) == 1)
  }
}
