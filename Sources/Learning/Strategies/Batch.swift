import Foundation

/// One batch in the model's input layout, with targets, tasks and per-row output masks.
final class Batch {
  /// Features, one row per sample (rows shrink for the last batch).
  let inputs: Matrix
  /// Targets (class labels as whole numbers, or regression values).
  var targets: [Float] = []
  /// Class labels (classification).
  var labels: [Int] = []
  /// 1-based task of each row.
  var tasks: [Int] = []
  /// Rows × outputs flags when tasks mask their outputs (task-incremental), else nil.
  var mask: [Bool]?

  init(capacity: Int, inputSize: Int) {
    inputs = Matrix(rows: 0, columns: inputSize, rowCapacity: max(1, capacity))
  }

  var count: Int { inputs.rows }
}
