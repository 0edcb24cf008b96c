import Foundation
import Tracking

/// What differs between runs, each compared with the first (the baseline of the diff).
struct RunDiff {
  /// How a parameter differs from the first run.
  enum Change: String {
    case changed, added, removed
  }

  /// One parameter that is not the same in every run.
  struct ParamRow {
    var key: String
    var values: [ParamValue?]
    var change: Change
  }

  /// One number per run with deltas against the first run.
  struct NumberRow {
    var key: String
    var values: [Double?]

    /// value[k] - value[0] (nil for the first run or a missing value).
    var deltas: [Double?] {
      values.enumerated().map { index, value in
        guard index > 0, let value, let base = values[0] else { return nil }
        return value - base
      }
    }
  }

  /// One matrix cell across runs.
  struct CellRow {
    var trainedThrough: Int
    var task: Int
    var values: [Double?]

    var row: NumberRow { NumberRow(key: "R[\(trainedThrough)][\(task)]", values: values) }
  }

  var runs: [Run]
  var params: [ParamRow]
  /// ACC, BWT, FWT, forgetting.
  var summary: [NumberRow]
  /// The final value of every metric.
  var metrics: [NumberRow]
  var matrix: [CellRow]
  var matrixMetric: String?

  /// What the diff needs of one run.
  struct Inputs {
    var run: Run
    var params: [String: ParamValue]
    var matrix: AccuracyMatrix
    var latestMetrics: [String: Double]
  }

  /// Compares `reports` (at least two) against the first.
  init(_ reports: [RunReport]) {
    self.init(
      reports.map {
        Inputs(
          run: $0.run, params: $0.paramValues, matrix: $0.matrix, latestMetrics: $0.latestMetrics)
      })
  }

  /// Compares `inputs` (at least two) against the first.
  init(_ inputs: [Inputs]) {
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
  }

  /// The row for `key` among summary metrics, then final metric values.
  func numbers(for key: String) -> NumberRow? {
    summary.first(where: { $0.key == key }) ?? metrics.first(where: { $0.key == key })
  }
}
