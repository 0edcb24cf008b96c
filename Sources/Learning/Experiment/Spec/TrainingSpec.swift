import Foundation

/// How long and in what batches each task trains (`training:` section).
public struct TrainingSpec: Codable, Equatable {
  /// Passes over each task's training split (default 1).
  public var epochs: Int
  /// Samples per gradient step (default 32).
  public var batchSize: Int
  /// Threads a training step is shared between (default 1: with the other core busy, two
  /// are slower).
  public var threads: Int
  /// Which weights and optimizer checkpoints a run keeps (default `.last`).
  public var checkpoints: CheckpointPolicy

  /// Which checkpoints a run keeps (`training.checkpoints`).
  public enum CheckpointPolicy: String, Codable, CaseIterable, Sendable {
    /// Every task's weights and optimizer state (to continue from any task).
    case everyTask = "every_task"
    /// Only the latest task's (enough for `--from`; the default).
    case last
    /// None (a run that cannot be continued, and the smallest file).
    case none
  }

  /// The most epochs per task (a million passes over a task is already more than anyone
  /// waits for; step counters multiply epochs by tasks and batches).
  public static let maximumEpochs = 1_000_000

  /// The keys this section accepts.
  public static let keys = ["epochs", "batch_size", "threads", "checkpoints"]

  /// A training section with every default.
  public init(
    epochs: Int = 1, batchSize: Int = 32, threads: Int = 1, checkpoints: CheckpointPolicy = .last
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.threads = threads
    self.checkpoints = checkpoints
  }

  /// Decodes with defaults for every key.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    let policy: String = try c.value("checkpoints", CheckpointPolicy.last.rawValue)
    guard let checkpoints = CheckpointPolicy(rawValue: policy) else {
      throw LearningError.invalidSpec(
        key: "training.checkpoints",
        message: "must be one of every_task, last, none (got '\(policy)')")
    }
    self.init(
      epochs: try c.value("epochs", 1), batchSize: try c.value("batch_size", 32),
      threads: try c.value("threads", 1), checkpoints: checkpoints)
  }

  /// Encodes with the same snake_case keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(epochs, "epochs")
    try c.put(batchSize, "batch_size")
    try c.put(threads, "threads")
    try c.put(checkpoints.rawValue, "checkpoints")
  }

  /// Checks ranges.
  func validate() throws {
    try require(epochs >= 1, "training.epochs", "must be at least 1 (got \(epochs))")
    try require(
      epochs <= TrainingSpec.maximumEpochs, "training.epochs",
      "must be at most \(TrainingSpec.maximumEpochs) (got \(epochs)); epoch counters of a "
        + "whole stream must not overflow")
    try require(batchSize >= 1, "training.batch_size", "must be at least 1 (got \(batchSize))")
    try require(threads >= 1, "training.threads", "must be at least 1 (got \(threads))")
  }

  /// "training.key" -> value for run params.
  var flattened: [String: String] {
    [
      "training.epochs": String(epochs), "training.batch_size": String(batchSize),
      "training.threads": String(threads), "training.checkpoints": checkpoints.rawValue,
    ]
  }
}
