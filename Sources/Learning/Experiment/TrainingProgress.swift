import Foundation

/// Progress reported during training, for a progress bar or plain log lines.
public struct TrainingProgress: Sendable {
  /// What the experiment is doing.
  public enum Phase: String, Sendable { case evaluating, training }

  /// Current phase.
  public var phase: Phase
  /// 1-based task being trained (0 while evaluating the baseline).
  public var task: Int
  /// Tasks in the stream.
  public var taskCount: Int
  /// Name of the current task.
  public var taskName: String
  /// 1-based epoch within the task.
  public var epoch: Int
  /// Epochs per task.
  public var epochCount: Int
  /// Batches done in this epoch.
  public var batch: Int
  /// Batches per epoch.
  public var batchCount: Int
  /// Mean training loss so far in this epoch.
  public var loss: Double
}
