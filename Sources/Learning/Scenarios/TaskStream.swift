import Foundation

/// An ordered stream of tasks a scenario made from a dataset, with the model shape it needs.
public struct TaskStream: Sendable {
  /// The tasks, in training order.
  public var tasks: [LearningTask]
  /// Features per sample (the model's input width).
  public var inputSize: Int
  /// Model outputs: the number of classes, or 1 for regression.
  public var outputSize: Int
  /// Regression (score −MSE) rather than classification (score accuracy).
  public var isRegression: Bool
  /// Train in file order (a time series learns prequentially), not shuffled.
  public var isChronological: Bool

  /// Name of the score the matrix holds: "accuracy", or "neg_mse" (higher is better).
  public var scoreName: String { isRegression ? "neg_mse" : "accuracy" }

  /// Descriptions of every task, for the recorder.
  public var descriptions: [TaskDescription] { tasks.map(\.description) }
}
