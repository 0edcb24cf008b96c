import Foundation

/// Domain-incremental streams: the same classes under a new pixel permutation or rotation.
enum DomainShift {
  static func tasks(train: Dataset, test: Dataset, spec: ExperimentSpec, outputSize: Int) throws
    -> [LearningTask]
  {
    let scenario = spec.scenario
    let taskCount = scenario.tasks ?? scenario.angles?.count ?? 5
    var tasks = [LearningTask]()
    for t in 0..<taskCount {
      let transform: ([UInt8]) -> [UInt8]
      let name: String
      if scenario.type == .permuted {
        // One seeded permutation per task index, independent of the task count, so a longer
        // stream continues a shorter one.
        var random = SeededGenerator(seed: UInt64(spec.seed) &* 1_000_003 &+ UInt64(t + 1))
        var permutation = Array(0..<train.featureCount)
        random.shuffle(&permutation)
        transform = { pixels in permutation.map { pixels[$0] } }
        name = "permutation \(t + 1)"
      } else {
        guard let shape = train.imageShape else {
          throw LearningError.invalidSpec(
            key: "scenario.type", message: "rotated needs square images; the data has none")
        }
        let angle = scenario.angles?[t] ?? 180 * Double(t) / Double(taskCount)
        transform = { pixels in rotate(pixels, rows: shape.rows, columns: shape.columns, by: angle) }
        name = "rotation \(specText(angle))°"
      }
      let trainPart = train.mappingImages(transform)
      let testPart = test.mappingImages(transform)
      tasks.append(
        LearningTask(
          description: TaskDescription(
            index: t + 1, name: name, trainSize: trainPart.count, testSize: testPart.count,
            classes: train.classes),
          train: trainPart, test: testPart, allowedOutputs: nil))
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
