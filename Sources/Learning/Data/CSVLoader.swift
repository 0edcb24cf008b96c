import Foundation

/// Builds datasets from CSV tables: numeric feature columns, a target, an optional task column.
public enum CSVLoader {
  /// Samples of one CSV file, with the task name of each row when a task column is given.
  public struct Loaded: Sendable {
    /// Every row as a sample.
    public var dataset: Dataset
    /// Names of the feature columns, in order.
    public var featureNames: [String]
    /// The task of each row (nil without a task column).
    public var taskOfRow: [String]?
  }

  /// Loads `path`: every column but `target` and `taskColumn` is a numeric feature.
  public static func load(path: String, target: String, taskColumn: String? = nil) throws
    -> Loaded
  {
    try load(table: try CSVTable(path: path), target: target, taskColumn: taskColumn)
  }

  /// Builds samples from an already-read table.
  public static func load(table: CSVTable, target: String, taskColumn: String? = nil) throws
    -> Loaded
  {
    let targetIndex = try table.columnIndex(target)
    let taskIndex = try taskColumn.map { try table.columnIndex($0) }
    let featureIndices = table.header.indices.filter { $0 != targetIndex && $0 != taskIndex }
    guard !featureIndices.isEmpty else {
      throw LearningError.invalidData(
        file: table.file, line: 1, column: nil,
        message: "no feature columns besides the target and task columns")
    }
    var features = [Float]()
    features.reserveCapacity(table.rows.count * featureIndices.count)
    var targets = [Float]()
    for row in table.rows.indices {
      for column in featureIndices { features.append(try table.number(row: row, column: column)) }
      targets.append(try table.number(row: row, column: targetIndex))
    }
    let tasks = taskIndex.map { column in table.rows.indices.map { table.text(row: $0, column: column) } }
    return Loaded(
      dataset: try Dataset(
        features: .floats(features), featureCount: featureIndices.count, targets: targets),
      featureNames: featureIndices.map { table.header[$0] }, taskOfRow: tasks)
  }
}
