import Foundation

/// Domain-incremental streams: the same classes under a new pixel permutation or rotation.
///
/// Memory grows with what the stream keeps, not with the tasks: a permuted task is a view of
/// the one stored copy of the images with its own feature order (applied when a batch or an
/// evaluation reads the rows), and train_limit / test_limit pick each task's samples before
/// any pixel is moved, so a rotated task stores only the samples it trains and tests on.
enum DomainShift {
  static func tasks(
    train: Dataset, test: Dataset, spec: ExperimentSpec, outputSize: Int,
    shouldStop: () -> Bool = { false }
  ) throws -> [LearningTask] {
    let scenario = spec.scenario
    let taskCount = scenario.tasks ?? scenario.angles?.count ?? 5
    let classes = train.classes
    var tasks = [LearningTask]()
    for t in 0..<taskCount {
      if shouldStop() { throw LearningError.cancelled }
      // The same seeded choice of samples as limiting the transformed task: it depends only
      // on the task index and the split sizes.
      var task = Scenario.limited(
        LearningTask(
          description: TaskDescription(
            index: t + 1, name: "", trainSize: train.count, testSize: test.count,
            classes: classes),
          train: train, test: test, allowedOutputs: nil),
        spec: spec.data, seed: UInt64(spec.seed))
      if scenario.type == .permuted {
        // One seeded permutation per task index, independent of the task count, so a longer
        // stream continues a shorter one.
        var random = SeededGenerator(seed: UInt64(spec.seed) &* 1_000_003 &+ UInt64(t + 1))
        var permutation = Array(0..<train.featureCount)
        random.shuffle(&permutation)
        task.train = try task.train.permutingFeatures(permutation)
        task.test = try task.test.permutingFeatures(permutation)
        task.description.name = "permutation \(t + 1)"
      } else {
        guard let shape = train.imageShape else {
          throw LearningError.invalidSpec(
            key: "scenario.type", message: "rotated needs square images; the data has none")
        }
        let angle = scenario.angles?[t] ?? 180 * Double(t) / Double(taskCount)
        var rows = 0
        func rotated(_ pixels: [UInt8]) throws -> [UInt8] {
          rows += 1
          if rows % 1024 == 0, shouldStop() { throw LearningError.cancelled }
          return rotate(pixels, rows: shape.rows, columns: shape.columns, by: angle)
        }
        task.train = try task.train.mappingImages(rotated)
        task.test = try task.test.mappingImages(rotated)
        task.description.name = "rotation \(specText(angle))°"
      }
      tasks.append(task)
    }
    return tasks
  }

  /// Rotates an image about its centre by `degrees` (bilinear, zero outside).
  static func rotate(_ pixels: [UInt8], rows: Int, columns: Int, by degrees: Double) -> [UInt8] {
    if degrees == 0 { return pixels }
    let radians = degrees * Double.pi / 180
    let (c, s) = (cos(radians), sin(radians))
    let cy = Double(rows - 1) / 2
    let cx = Double(columns - 1) / 2
    var out = [UInt8](repeating: 0, count: pixels.count)
    func at(_ y: Int, _ x: Int) -> Double {
      y >= 0 && y < rows && x >= 0 && x < columns ? Double(pixels[y * columns + x]) : 0
    }
    for y in 0..<rows {
      for x in 0..<columns {
        // Inverse mapping: where in the source does this destination pixel come from.
        let dy = Double(y) - cy
        let dx = Double(x) - cx
        let sx = c * dx + s * dy + cx
        let sy = -s * dx + c * dy + cy
        let x0 = Int(sx.rounded(.down))
        let y0 = Int(sy.rounded(.down))
        let fx = sx - Double(x0)
        let fy = sy - Double(y0)
        let value =
          at(y0, x0) * (1 - fx) * (1 - fy) + at(y0, x0 + 1) * fx * (1 - fy)
          + at(y0 + 1, x0) * (1 - fx) * fy + at(y0 + 1, x0 + 1) * fx * fy
        out[y * columns + x] = UInt8(max(0, min(255, value.rounded())))
      }
    }
    return out
  }
}
