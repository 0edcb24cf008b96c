import Foundation

/// How each batch updates the model across tasks (`strategy:` section).
public struct StrategySpec: Codable, Equatable {
  /// The continual-learning strategies on offer.
  public enum Kind: String, Codable, CaseIterable, Sendable {
    case naive, replay, ewc, lwf, agem, joint, derpp
    case erACE = "er-ace"
  }
  /// Which samples the knowledge base keeps when it is full.
  public enum Selection: String, Codable, CaseIterable {
    case reservoir
    case classBalanced = "class-balanced"
  }
  /// How replay combines the current batch with the memory batch.
  public enum ReplayLoss: String, Codable, CaseIterable {
    /// loss(current) + β × loss(memory): two losses, each a mean over its own batch.
    case weightedSum = "weighted-sum"
    /// One loss over the current and the memory batch concatenated (Mammoth's ER,
    /// Avalanche's replay); β is not used.
    case concatenated
  }

  /// The strategy (default naive).
  public var type: Kind
  /// Samples the knowledge base holds (replay, A-GEM; default 500).
  public var memorySize: Int
  /// Weight of the memory batch's loss in replay, and of DER++'s memory cross-entropy
  /// (default 1).
  public var beta: Double
  /// How replay picks and evicts samples (default reservoir).
  public var selection: Selection
  /// EWC penalty strength λ (default 100).
  public var lambda: Double
  /// Online EWC: one running Fisher decayed by `decay` instead of one per task.
  public var online: Bool
  /// Online EWC decay γ of the running Fisher (default 1).
  public var decay: Double
  /// LwF weight α of the distillation loss, and DER++'s weight α of the logit-matching
  /// MSE (default 1).
  public var alpha: Double
  /// LwF distillation temperature (default 2).
  public var temperature: Double
  /// A-GEM: memory samples drawn for the reference gradient (default 256).
  public var sampleSize: Int
  /// Replay: how the current and the memory batch make the loss (default weighted-sum).
  public var replayLoss: ReplayLoss
  /// Replay and DER++: the first task whose batches rehearse the memory (default 1: as soon
  /// as it holds a sample; 2 is Avalanche's and ER-ACE's protocol).
  public var replayStartTask: Int
  /// Replay, DER++, ER-ACE: samples per memory batch (nil, the default: as many as the
  /// current batch has; Mammoth's `minibatch_size`).
  public var memoryBatchSize: Int?

  /// The keys this section accepts.
  public static let keys = [
    "type", "memory_size", "beta", "selection", "lambda", "online", "decay", "alpha",
    "temperature", "sample_size", "replay_loss", "replay_start_task",
    "memory_batch_size",
  ]

  /// A strategy section with every default.
  public init(type: Kind = .naive) {
    self.type = type
    memorySize = 500
    beta = 1
    selection = .reservoir
    lambda = 100
    online = false
    decay = 1
    alpha = 1
    temperature = 2
    sampleSize = 256
    replayLoss = .weightedSum
    replayStartTask = 1
    memoryBatchSize = nil
  }

  /// Decodes with defaults for every key.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    self.init(type: try c.choice("type", section: "strategy", Kind.naive))
    memorySize = try c.value("memory_size", memorySize)
    beta = try c.value("beta", beta)
    selection = try c.choice("selection", section: "strategy", selection)
    lambda = try c.value("lambda", lambda)
    online = try c.value("online", online)
    decay = try c.value("decay", decay)
    alpha = try c.value("alpha", alpha)
    temperature = try c.value("temperature", temperature)
    sampleSize = try c.value("sample_size", sampleSize)
    replayLoss = try c.choice("replay_loss", section: "strategy", replayLoss)
    replayStartTask = try c.value("replay_start_task", replayStartTask)
    memoryBatchSize = try c.optional("memory_batch_size")
  }

  /// Encodes with the same snake_case keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(type, "type")
    try c.put(memorySize, "memory_size")
    try c.put(beta, "beta")
    try c.put(selection, "selection")
    try c.put(lambda, "lambda")
    try c.put(online, "online")
    try c.put(decay, "decay")
    try c.put(alpha, "alpha")
    try c.put(temperature, "temperature")
    try c.put(sampleSize, "sample_size")
    try c.put(replayLoss, "replay_loss")
    try c.put(replayStartTask, "replay_start_task")
    try c.put(memoryBatchSize, "memory_batch_size")
  }

  /// Checks ranges.
  func validate() throws {
    try require(
      memorySize >= 1, "strategy.memory_size", "must be at least 1 (got \(memorySize))")
    try require(beta >= 0, "strategy.beta", "must not be negative (got \(beta))")
    try require(lambda >= 0, "strategy.lambda", "must not be negative (got \(lambda))")
    try require(decay > 0 && decay <= 1, "strategy.decay", "must be in (0, 1] (got \(decay))")
    try require(alpha >= 0, "strategy.alpha", "must not be negative (got \(alpha))")
    try require(
      temperature > 0, "strategy.temperature", "must be positive (got \(temperature))")
    try require(
      sampleSize >= 1, "strategy.sample_size", "must be at least 1 (got \(sampleSize))")
    try require(
      replayStartTask >= 1, "strategy.replay_start_task",
      "must be at least 1 (got \(replayStartTask))")
    if let memoryBatchSize {
      try require(
        memoryBatchSize >= 1, "strategy.memory_batch_size",
        "must be at least 1 (got \(memoryBatchSize)); leave it out for the batch size")
    }
    if type == .derpp {
      try require(
        alpha > 0 || beta > 0, "strategy.alpha",
        "DER++ needs strategy.alpha or strategy.beta above 0 (both are 0: that is replay-free"
          + " fine-tuning; use type: naive)")
    }
  }

  /// "strategy.key" -> value for run params (only the keys the strategy uses).
  var flattened: [String: String] {
    var out = ["strategy.type": type.rawValue]
    switch type {
    case .naive, .joint: break
    case .replay:
      out["strategy.memory_size"] = String(memorySize)
      out["strategy.beta"] = specText(beta)
      out["strategy.selection"] = selection.rawValue
      // Recorded only when not the default, so runs made before these keys existed read
      // like new runs with the default (same groups in `track runs --group-by`).
      if replayLoss != .weightedSum { out["strategy.replay_loss"] = replayLoss.rawValue }
      if replayStartTask != 1 { out["strategy.replay_start_task"] = String(replayStartTask) }
      if let memoryBatchSize { out["strategy.memory_batch_size"] = String(memoryBatchSize) }
    case .derpp:
      out["strategy.memory_size"] = String(memorySize)
      out["strategy.alpha"] = specText(alpha)
      out["strategy.beta"] = specText(beta)
      out["strategy.selection"] = selection.rawValue
      if replayStartTask != 1 { out["strategy.replay_start_task"] = String(replayStartTask) }
      if let memoryBatchSize { out["strategy.memory_batch_size"] = String(memoryBatchSize) }
    case .erACE:
      out["strategy.memory_size"] = String(memorySize)
      out["strategy.selection"] = selection.rawValue
      if let memoryBatchSize { out["strategy.memory_batch_size"] = String(memoryBatchSize) }
    case .ewc:
      out["strategy.lambda"] = specText(lambda)
      out["strategy.online"] = String(online)
      if online { out["strategy.decay"] = specText(decay) }
    case .lwf:
      out["strategy.alpha"] = specText(alpha)
      out["strategy.temperature"] = specText(temperature)
    case .agem:
      out["strategy.memory_size"] = String(memorySize)
      out["strategy.sample_size"] = String(sampleSize)
    }
    return out
  }
}
