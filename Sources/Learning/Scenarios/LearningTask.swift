import Foundation

/// One task of a stream: its description, train and test splits, and its output mask.
public struct LearningTask: Sendable {
  /// Index (1-based), name, sizes and classes, as recorded.
  public var description: TaskDescription
  /// Training samples.
  public var train: Dataset
  /// Test samples (what the matrix R scores).
  public var test: Dataset
  /// Task-incremental: which outputs this task may predict (nil = all).
  public var allowedOutputs: [Bool]?
}
