import Foundation

/// Turns the data a spec names into an ordered stream of tasks (see `ScenarioSpec.Kind`).
public enum Scenario {
  /// Builds the stream for `spec` (reads files; nothing is downloaded). `shouldStop` is
  /// asked while reading, generating and splitting the data (every few thousand rows or
  /// samples, and per task); when it turns true this throws `LearningError.cancelled`.
  public static func makeStream(
    for spec: ExperimentSpec, shouldStop: () -> Bool = { false }
  ) throws -> TaskStream {
    let seed = UInt64(spec.seed)
    switch spec.data.source {
    case .series:
      return try TimeWindows.makeStream(spec: spec, shouldStop: shouldStop)
    case .csv:
      return try CSVTasks.makeStream(spec: spec, shouldStop: shouldStop)
    case .randomRegression:
      return try RandomRegression.makeStream(spec: spec, shouldStop: shouldStop)
    case .fashionMNIST, .idx, .synthetic:
      let (train, test) = try loadImages(spec.data, seed: seed, shouldStop: shouldStop)
      return try makeImageStream(train: train, test: test, spec: spec, shouldStop: shouldStop)
    }
  }

  /// Loads an image source's train and test splits. Fashion-MNIST labels must be its 10
  /// classes; an IDX directory's labels must be the spec's `data.classes`.
  static func loadImages(_ data: DataSpec, seed: UInt64, shouldStop: () -> Bool) throws
    -> (Dataset, Dataset)
  {
    switch data.source {
    case .synthetic:
      let made = try SyntheticData.make(
        classes: data.classes, features: data.features, samplesPerClass: data.samplesPerClass,
        seed: seed, shouldStop: shouldStop)
      return (made.train, made.test)
    default:
      let loaded = try FashionMNIST.load(
        directory: data.path ?? FashionMNIST.defaultDirectory,
        classes: data.source == .idx ? data.classes : 10, shouldStop: shouldStop)
      return (loaded.train, loaded.test)
    }
  }

  /// Builds a class-split, permuted or rotated stream from labelled train and test splits.
  static func makeImageStream(
    train: Dataset, test: Dataset, spec: ExperimentSpec, shouldStop: () -> Bool
  ) throws -> TaskStream {
    let scenario = spec.scenario
    let outputSize = (train.classes.last ?? 0) + 1
    var tasks: [LearningTask]
    switch scenario.type {
    case .classIncremental, .taskIncremental:
      tasks = try ClassSplit.tasks(
        train: train, test: test, spec: spec, outputSize: outputSize, shouldStop: shouldStop)
      tasks = tasks.map { limited($0, spec: spec.data, seed: UInt64(spec.seed)) }
    case .permuted, .rotated:
      // Limits are applied before the pixels are transformed (the same samples either way).
      tasks = try DomainShift.tasks(
        train: train, test: test, spec: spec, outputSize: outputSize, shouldStop: shouldStop)
    case .tasks, .timeWindows:
      throw LearningError.invalidSpec(
        key: "scenario.type", message: "'\(scenario.type.rawValue)' needs csv or series data")
    }
    return TaskStream(
      tasks: tasks, inputSize: train.featureCount, outputSize: outputSize, isRegression: false,
      isChronological: false)
  }

  /// Applies train_limit / test_limit with a seeded choice of samples, updating the sizes.
  static func limited(_ task: LearningTask, spec: DataSpec, seed: UInt64) -> LearningTask {
    var task = task
    var random = SeededGenerator(seed: seed &+ UInt64(task.description.index) &* 7919)
    func cut(_ data: Dataset, _ limit: Int?) -> Dataset {
      guard let limit, limit < data.count else { return data }
      var order = Array(0..<data.count)
      random.shuffle(&order)
      return data.subset(order.prefix(limit).sorted())
    }
    task.train = cut(task.train, spec.trainLimit)
    task.test = cut(task.test, spec.testLimit)
    task.description.trainSize = task.train.count
    task.description.testSize = task.test.count
    return task
  }
}
