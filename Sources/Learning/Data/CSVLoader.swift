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

  /// Loads `path`: every column but `target` and `taskColumn` is a numeric feature. With
  /// `classes`, the target is a class label, a whole number in `0..<classes`; without, any
  /// number (regression). `shouldStop` is asked every 4,096 rows (`LearningError.cancelled`).
  public static func load(
    path: String, target: String, taskColumn: String? = nil, classes: Int? = nil,
    shouldStop: () -> Bool = { false }
  ) throws -> Loaded {
    try load(
      table: try CSVTable(path: path, shouldStop: shouldStop), target: target,
      taskColumn: taskColumn, classes: classes, shouldStop: shouldStop)
  }

  /// Builds samples from an already-read table (`classes` and `shouldStop` as in
  /// `load(path:target:taskColumn:classes:shouldStop:)`).
  public static func load(
    table: CSVTable, target: String, taskColumn: String? = nil, classes: Int? = nil,
    shouldStop: () -> Bool = { false }
  ) throws -> Loaded {
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
    targets.reserveCapacity(table.rows.count)
    for row in table.rows.indices {
      if row % 4096 == 4095, shouldStop() { throw LearningError.cancelled }
      for column in featureIndices { features.append(try table.number(row: row, column: column)) }
      targets.append(
        try classes.map { try table.label(row: row, column: targetIndex, classes: $0) }
          ?? table.number(row: row, column: targetIndex))
    }
    let tasks = taskIndex.map { column in table.rows.indices.map { table.text(row: $0, column: column) } }
    return Loaded(
      dataset: try Dataset(
        features: .floats(features), featureCount: featureIndices.count, targets: targets),
      featureNames: featureIndices.map { table.header[$0] }, taskOfRow: tasks)
  }
}
