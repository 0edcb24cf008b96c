import Foundation

/// Random regression tasks generated from the seed (`data.source: random-regression`,
/// `scenario.type: tasks`): each task has `data.samples` training rows (and a quarter of
/// that for test) of `data.features` uniform features in [0, 1) and the target
///
///     y = a·sin(2π x₀)·x₁ + b·x₂·x₃ + c·x₄² + d·x₅ + 0.1·ε,   ε ~ N(0, 1)
///
/// (feature indices wrap around for fewer than 6 features). Task 1 has (a, b, c, d) =
/// (1, 1, −1, 0.5), the seed workload of the numerics benchmarks (10 features, 10,000 rows:
/// `Examples/seed-regression.yaml`); each later task draws its coefficients from [−1, 1]
/// (a domain-incremental regression stream: the same inputs, another function).
enum RandomRegression {
  /// The coefficients (a, b, c, d) of task `index` (1-based).
  static func coefficients(task index: Int, seed: UInt64) -> [Float] {
    guard index > 1 else { return [1, 1, -1, 0.5] }
    var random = SeededGenerator(seed: seed ^ 0xC0EF_F1C1 &+ UInt64(index))
    return (0..<4).map { _ in random.nextFloat(in: -1, 1) }
  }

  /// The target of `row` (its `features` values) under `coefficients`, without the noise.
  static func target(_ row: UnsafeBufferPointer<Float>, coefficients k: [Float]) -> Float {
    let n = row.count
    func x(_ i: Int) -> Float { row[i % n] }
    return k[0] * sin(2 * Float.pi * x(0)) * x(1) + k[1] * x(2) * x(3) + k[2] * x(4) * x(4)
      + k[3] * x(5)
  }

  /// The stream: `scenario.tasks` tasks (default 1). Throws `LearningError.cancelled` when
  /// `shouldStop` (asked every 4,096 rows) turns true.
  static func makeStream(spec: ExperimentSpec, shouldStop: () -> Bool = { false }) throws
    -> TaskStream
  {
    let data = spec.data
    let taskCount = spec.scenario.tasks ?? 1
    try checkSize(data, tasks: taskCount)
    let seed = UInt64(spec.seed)
    var tasks = [LearningTask]()
    for index in 1...taskCount {
      var random = SeededGenerator(seed: seed ^ 0x2E62_E55D &+ UInt64(index) &* 7919)
      let k = coefficients(task: index, seed: seed)
      func rows(_ count: Int) throws -> Dataset {
        var x = [Float](repeating: 0, count: count * data.features)
        var y = [Float](repeating: 0, count: count)
        try x.withUnsafeMutableBufferPointer { all in
          for r in 0..<count {
            if r % 4096 == 0, shouldStop() { throw LearningError.cancelled }
            let row = UnsafeMutableBufferPointer(rebasing: all[r * data.features..<(r + 1) * data.features])
            for c in row.indices { row[c] = random.nextFloat() }
            y[r] = target(UnsafeBufferPointer(row), coefficients: k) + 0.1 * random.nextGaussian()
          }
        }
        return try Dataset(features: .floats(x), featureCount: data.features, targets: y)
      }
      let train = try rows(data.samples)
      let test = try rows(max(1, data.samples / 4))
      let name = String(format: "a=%.2f b=%.2f c=%.2f d=%.2f", k[0], k[1], k[2], k[3])
      tasks.append(LearningTask(
        description: TaskDescription(
          index: index, name: name, trainSize: train.count, testSize: test.count, classes: []),
        train: train, test: test, allowedOutputs: nil))
    }
    return TaskStream(
      tasks: tasks, inputSize: data.features, outputSize: 1, isRegression: true,
      isChronological: false)
  }

  /// Refuses sizes whose rows (4 bytes per feature and target, train and a quarter more for
  /// test, per task) exceed `MemoryBudget.bytes`, before anything is allocated.
  static func checkSize(_ data: DataSpec, tasks: Int) throws {
    let needed = Double(tasks) * Double(data.samples) * 1.25 * Double(data.features + 1) * 4
    guard needed > MemoryBudget.bytes else { return }
    throw LearningError.invalidSpec(
      key: data.samples >= data.features ? "data.samples" : "data.features",
      message: "makes \(tasks) task(s) of \(data.samples) rows × \(data.features) features"
        + " (and a quarter more for test), which need \(MemoryBudget.describe(needed)); an"
        + " experiment may plan for \(MemoryBudget.describe(MemoryBudget.bytes)) here: lower"
        + " data.samples or data.features")
  }
}
