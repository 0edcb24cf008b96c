import Foundation
import Tracking

/// What differs between runs, each compared with the first (the baseline of the diff).
public struct RunDiff {
  /// How a parameter differs from the first run.
  public enum Change: String {
    case changed, added, removed
  }

  /// One parameter that is not the same in every run.
  public struct ParamRow {
    public var key: String
    public var values: [ParamValue?]
    public var change: Change
  }

  /// One number per run with deltas against the first run.
  public struct NumberRow {
    public var key: String
    public var values: [Double?]

    /// value[k] - value[0] (nil for the first run or a value not measured: nil or NaN).
    public var deltas: [Double?] {
      values.enumerated().map { index, value in
        guard index > 0, let value, let base = values[0], value.isFinite, base.isFinite
        else { return nil }
        return value - base
      }
    }
  }

  /// One matrix cell across runs.
  public struct CellRow {
    public var trainedThrough: Int
    public var task: Int
    public var values: [Double?]

    public var row: NumberRow { NumberRow(key: "R[\(trainedThrough)][\(task)]", values: values) }
  }

  public var runs: [Run]
  public var params: [ParamRow]
  /// ACC, BWT, FWT, forgetting.
  public var summary: [NumberRow]
  /// The final value of every metric.
  public var metrics: [NumberRow]
  public var matrix: [CellRow]
  public var matrixMetric: String?
  /// The tasks' names, when the runs agree on them (else empty).
  public var taskNames: [String]

  /// What the diff needs of one run.
  public struct Inputs {
    var run: Run
    var params: [String: ParamValue]
    var matrix: AccuracyMatrix
    var latestMetrics: [String: Double]
    /// The names of the run's tasks, in order (empty when unknown).
    var taskNames: [String] = []
  }

  /// Compares `reports` (at least two) against the first.
  public init(_ reports: [RunReport]) {
    self.init(
      reports.map {
        Inputs(
          run: $0.run, params: $0.paramValues, matrix: $0.matrix, latestMetrics: $0.latestMetrics,
          taskNames: $0.tasks.map(\.name))
      })
  }

  /// Compares `inputs` (at least two) against the first.
  public init(_ inputs: [Inputs]) {
    runs = inputs.map(\.run)
    let paramSets = inputs.map(\.params)
    let paramKeys = Set(paramSets.flatMap(\.keys)).sorted()
    params = paramKeys.compactMap { key in
      let values = paramSets.map { $0[key] }
      guard Set(values.map { $0?.description ?? "\u{0}" }).count > 1 else { return nil }
      let change: Change
      if values[0] == nil {
        change = .added
      } else if values.contains(where: { $0 == nil }) {
        change = .removed
      } else {
        change = .changed
      }
      return ParamRow(key: key, values: values, change: change)
    }
    let summaries: [[String: Double?]] = inputs.map { input in
      let matrix = input.matrix
      guard matrix.taskCount > 0 else { return [:] }
      return [
        "acc": matrix.accuracy, "bwt": matrix.backwardTransfer, "fwt": matrix.forwardTransfer,
        "forgetting": matrix.forgetting,
      ]
    }
    summary = ["acc", "bwt", "fwt", "forgetting"].compactMap { key in
      let values = summaries.map { $0[key] ?? nil }
      return values.allSatisfy({ $0 == nil }) ? nil : NumberRow(key: key, values: values)
    }
    let metricKeys = Set(inputs.flatMap(\.latestMetrics.keys)).sorted()
    metrics = metricKeys.map { key in
      NumberRow(key: key, values: inputs.map { $0.latestMetrics[key] })
    }
    var cells = Set<[Int]>()
    for input in inputs {
      for (i, row) in input.matrix.rows {
        for j in row.indices { cells.insert([i, j + 1]) }
      }
    }
    matrix = cells.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { cell in
      CellRow(
        trainedThrough: cell[0], task: cell[1],
        values: inputs.map { $0.matrix.value(trainedThrough: cell[0], task: cell[1]) })
    }
    matrixMetric = inputs.first(where: { $0.matrix.taskCount > 0 })?.matrix.metric
    // The first run's names when every run that names its tasks names them the same.
    let named = inputs.map(\.taskNames).filter { !$0.isEmpty }
    taskNames = named.allSatisfy({ $0 == named.first }) ? named.first ?? [] : []
  }

  /// The row for `key` among summary metrics, then final metric values.
  public func numbers(for key: String) -> NumberRow? {
    summary.first(where: { $0.key == key }) ?? metrics.first(where: { $0.key == key })
  }
}
