import Foundation

/// How gradients update the weights (`optimizer:` section).
public struct OptimizerSpec: Codable, Equatable {
  /// The optimizers the engine offers.
  public enum Kind: String, Codable, CaseIterable { case sgd, adam }
  /// How the learning rate changes from epoch to epoch within a task.
  public enum Schedule: String, Codable, CaseIterable { case constant, step, cosine }
  /// What happens to the optimizer's state (momentum, Adam moments) when a task begins.
  public enum AcrossTasks: String, Codable, CaseIterable {
    /// One optimizer for the whole stream (the default).
    case keep
    /// A fresh optimizer for every task (zero buffers), as protocols that build one per
    /// experience do (Avalanche's default when `reset_optimizer` is used).
    case reset
  }

  /// The optimizer (default sgd).
  public var type: Kind
  /// Learning rate (default 0.01).
  public var lr: Double
  /// SGD momentum (default 0).
  public var momentum: Double
  /// Nesterov momentum (default false).
  public var nesterov: Bool
  /// L2 weight decay (default 0).
  public var weightDecay: Double
  /// Learning-rate schedule over each task's epochs (default constant).
  public var schedule: Schedule
  /// Epochs between two steps of the `step` schedule (default 1).
  public var stepSize: Int
  /// Factor applied at each step of the `step` schedule (default 0.1).
  public var gamma: Double
  /// Optimizer state from one task to the next (default keep).
  public var acrossTasks: AcrossTasks

  /// The keys this section accepts.
  public static let keys = [
    "type", "lr", "momentum", "nesterov", "weight_decay", "schedule", "step_size", "gamma",
    "across_tasks",
  ]

  /// An optimizer section with every default.
  public init(type: Kind = .sgd, lr: Double = 0.01) {
    self.type = type
    self.lr = lr
    momentum = 0
    nesterov = false
    weightDecay = 0
    schedule = .constant
    stepSize = 1
    gamma = 0.1
    acrossTasks = .keep
  }

  /// Decodes with defaults for every key.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(
      type: try c.choice("type", section: "optimizer", Kind.sgd), lr: try c.value("lr", 0.01))
    momentum = try c.value("momentum", momentum)
    nesterov = try c.value("nesterov", nesterov)
    weightDecay = try c.value("weight_decay", weightDecay)
    schedule = try c.choice("schedule", section: "optimizer", schedule)
    stepSize = try c.value("step_size", stepSize)
    gamma = try c.value("gamma", gamma)
    acrossTasks = try c.choice("across_tasks", section: "optimizer", acrossTasks)
  }

  /// Encodes with the same snake_case keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(type, "type")
    try c.put(lr, "lr")
    try c.put(momentum, "momentum")
    try c.put(nesterov, "nesterov")
    try c.put(weightDecay, "weight_decay")
    try c.put(schedule, "schedule")
    try c.put(stepSize, "step_size")
    try c.put(gamma, "gamma")
    try c.put(acrossTasks, "across_tasks")
  }

  /// Checks ranges.
  func validate() throws {
    try require(lr > 0 && lr.isFinite, "optimizer.lr", "must be a positive number (got \(lr))")
    try require(
      momentum >= 0 && momentum < 1, "optimizer.momentum", "must be in [0, 1) (got \(momentum))")
    try require(
      !nesterov || momentum > 0, "optimizer.nesterov", "needs optimizer.momentum above 0")
    try require(
      weightDecay >= 0, "optimizer.weight_decay", "must not be negative (got \(weightDecay))")
    try require(stepSize >= 1, "optimizer.step_size", "must be at least 1 (got \(stepSize))")
    try require(gamma > 0, "optimizer.gamma", "must be positive (got \(gamma))")
  }

  /// Learning rate for `epoch` (0-based) of `epochs` under the schedule.
  public func learningRate(epoch: Int, of epochs: Int) -> Double {
    switch schedule {
    case .constant: return lr
    case .step: return lr * pow(gamma, Double(epoch / stepSize))
    case .cosine:
      guard epochs > 1 else { return lr }
      return lr * 0.5 * (1 + cos(Double.pi * Double(epoch) / Double(epochs)))
    }
  }

  /// "optimizer.key" -> value for run params.
  var flattened: [String: String] {
    var out = [
      "optimizer.type": type.rawValue,
      "optimizer.lr": specText(lr),
      "optimizer.weight_decay": specText(weightDecay),
      "optimizer.schedule": schedule.rawValue,
    ]
    if type == .sgd {
      out["optimizer.momentum"] = specText(momentum)
      out["optimizer.nesterov"] = String(nesterov)
    }
    if schedule == .step {
      out["optimizer.step_size"] = String(stepSize)
      out["optimizer.gamma"] = specText(gamma)
    }
    // Only when not the default: older runs (before the key) read as the default.
    if acrossTasks != .keep { out["optimizer.across_tasks"] = acrossTasks.rawValue }
    return out
  }
}
