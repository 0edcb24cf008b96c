import Foundation

/// The experiment a spec file describes: data, scenario, model, optimizer, training, strategy.
///
/// Codable with snake_case keys, so the CLI decodes it from YAML or JSON; every field but
/// `data.source` has a default.
///
/// ```swift
/// let spec = try JSONDecoder().decode(ExperimentSpec.self, from: Data("""
///   {"data": {"source": "fashion-mnist"}, "strategy": {"type": "replay"}}
///   """.utf8))
/// try spec.validate()
/// ```
public struct ExperimentSpec: Codable, Equatable {
  /// Run name (nil: the tracker picks one).
  public var name: String?
  /// Experiment (group) name.
  public var experiment: String?
  /// Seed of everything random (default 0).
  public var seed: Int
  /// Where the samples come from.
  public var data: DataSpec
  /// How the data becomes a stream of tasks.
  public var scenario: ScenarioSpec
  /// The network.
  public var model: ModelSpec
  /// The optimizer.
  public var optimizer: OptimizerSpec
  /// Epochs, batch size, threads.
  public var training: TrainingSpec
  /// The continual-learning strategy.
  public var strategy: StrategySpec

  /// Allowed keys by section path ("" = top level), so a caller can reject unknown keys.
  public static let allowedKeys: [String: [String]] = [
    "": [
      "name", "experiment", "seed", "data", "scenario", "model", "optimizer", "training",
      "strategy",
    ],
    "data": DataSpec.keys,
    "scenario": ScenarioSpec.keys,
    "model": ModelSpec.keys,
    "optimizer": OptimizerSpec.keys,
    "training": TrainingSpec.keys,
    "strategy": StrategySpec.keys,
  ]

  /// A spec with every default, reading `data`.
  public init(
    data: DataSpec, scenario: ScenarioSpec = ScenarioSpec(), model: ModelSpec = ModelSpec(),
    optimizer: OptimizerSpec = OptimizerSpec(), training: TrainingSpec = TrainingSpec(),
    strategy: StrategySpec = StrategySpec(), seed: Int = 0, name: String? = nil,
    experiment: String? = nil
  ) {
    self.data = data
    self.scenario = scenario
    self.model = model
    self.optimizer = optimizer
    self.training = training
    self.strategy = strategy
    self.seed = seed
    self.name = name
    self.experiment = experiment
  }

  /// Decodes with defaults for every section but `data`.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: SpecKey.self)
    guard let data: DataSpec = try c.optional("data") else {
      throw LearningError.invalidSpec(key: "data", message: "missing; a spec needs data.source")
    }
    self.init(
      data: data,
      scenario: try c.value("scenario", ScenarioSpec()),
      model: try c.value("model", ModelSpec()),
      optimizer: try c.value("optimizer", OptimizerSpec()),
      training: try c.value("training", TrainingSpec()),
      strategy: try c.value("strategy", StrategySpec()),
      seed: try c.value("seed", 0),
      name: try c.optional("name"),
      experiment: try c.optional("experiment"))
  }

  /// Encodes with the same snake_case keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: SpecKey.self)
    try c.put(name, "name")
    try c.put(experiment, "experiment")
    try c.put(seed, "seed")
    try c.put(data, "data")
    try c.put(scenario, "scenario")
    try c.put(model, "model")
    try c.put(optimizer, "optimizer")
    try c.put(training, "training")
    try c.put(strategy, "strategy")
  }

  /// Checks values (ranges, names, required fields); errors name the key path.
  public func validate() throws {
    try require(seed >= 0, "seed", "must not be negative (got \(seed))")
    try data.validate()
    try scenario.validate(data: data)
    try model.validate()
    try optimizer.validate()
    try training.validate()
    try strategy.validate()
    // Sizes read from files are checked again by `DataShape.check` once they are known.
    try MemoryBudget.check(self, inputSize: nil, outputSize: nil)
  }

  /// The params that hold a list, its items joined by commas ("256,256"). A store records them
  /// as text whatever their length: a one-item list ("256") read as a number would make
  /// `model.hidden` a number in some runs and text in others.
  public static let listParams: Set<String> = [
    "model.hidden", "scenario.class_order", "scenario.angles", "data.files",
  ]

  /// Flattened "section.key" -> value for logging as run params (seed included).
  public var flattenedParams: [String: String] {
    var out = ["seed": String(seed)]
    for part in [
      data.flattened, scenario.flattened, model.flattened, optimizer.flattened,
      training.flattened, strategy.flattened,
    ] {
      out.merge(part) { first, _ in first }
    }
    return out
  }
}
