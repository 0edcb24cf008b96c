import Foundation
import Testing
@testable import Tracking

@testable import Experiments
@testable import track

/// Parameter changes and deltas of three runs against the first.
struct RunDiffTests {
  func run(_ id: RunID, _ name: String) -> Run {
    Run(
      id: id, uuid: "uuid-\(id)", name: name, experiment: nil, status: .finished,
      createdAt: Date(timeIntervalSince1970: 0), startedAt: nil, endedAt: nil, heartbeatAt: nil,
      pid: nil, host: nil, command: nil, gitCommit: nil, continuedFrom: nil, notes: nil)
  }

  @Test func classifiesParamsAndComputesDeltasAgainstTheFirstRun() {
    let params: [[String: ParamValue]] = [
      ["lr": .number(0.1), "only_first": .text("x"), "same": .text("s")],
      ["lr": .number(0.2), "only_first": .text("x"), "same": .text("s"), "new": .number(1)],
      ["lr": .number(0.1), "same": .text("s")],
    ]
    let rows: [[Int: [Double]]] = [
      [0: [0.1, 0.1], 1: [0.9, 0.2], 2: [0.5, 0.8]],
      [0: [0.1, 0.1], 1: [0.9, 0.2], 2: [0.7, 0.9]],
      [0: [0.1, 0.1], 1: [0.8, 0.2]],
    ]
    let diff = RunDiff(
      (0..<3).map { index in
        RunDiff.Inputs(
          run: run(RunID(index + 1), "r\(index + 1)"), params: params[index],
          matrix: AccuracyMatrix(metric: "accuracy", rows: rows[index]),
          latestMetrics: ["loss": Double(index)])
      })
    #expect(diff.params.map(\.key) == ["lr", "new", "only_first"])
    #expect(diff.params.map(\.change) == [.changed, .added, .removed])
    let acc = diff.numbers(for: "acc")
    #expect(acc?.values[0] == 0.65)
    #expect(abs((acc?.deltas[1] ?? 0) - 0.15) < 1e-12)
    #expect(acc?.deltas[2] == nil)  // run 3 has no complete matrix for 2 tasks
    #expect(diff.numbers(for: "loss")?.deltas == [nil, 1, 2])
    let cell = diff.matrix.first { $0.trainedThrough == 2 && $0.task == 1 }
    #expect(cell?.values == [0.5, 0.7, nil])
  }

  /// The matrix Δ grid names its columns and rows by the tasks' names when the runs agree on
  /// short ones (years of a time series), as `show` and `run` do (issue 11, gap 8).
  @Test func theMatrixGridUsesTaskNames() {
    let rows: [Int: [Double]] = [0: [0.1, 0.1], 1: [0.9, 0.2], 2: [0.5, 0.8]]
    func inputs(_ names: [String]) -> [RunDiff.Inputs] {
      (0..<2).map { index in
        RunDiff.Inputs(
          run: run(RunID(index + 1), "r\(index + 1)"), params: [:],
          matrix: AccuracyMatrix(metric: "accuracy", rows: rows), latestMetrics: [:],
          taskNames: names)
      }
    }
    let named = DiffView(diff: RunDiff(inputs(["1986", "1987"])), sections: [.matrix])
    let grid = named.matrixDeltas(run: 1).rendered(.csv, terminal: Terminal(isInteractive: false, usesColor: false, width: 80))
    #expect(grid.hasPrefix("after,1986,1987\nbaseline,"), "\(grid)")
    #expect(grid.contains("\n1987,"), "\(grid)")
    let unnamed = DiffView(diff: RunDiff(inputs([])), sections: [.matrix])
    #expect(unnamed.matrixDeltas(run: 1).rendered(.csv, terminal: Terminal(isInteractive: false, usesColor: false, width: 80)).hasPrefix("after,task 1,task 2\n"))
  }
}
