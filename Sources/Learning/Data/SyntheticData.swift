import Foundation

/// Seeded synthetic classification data for fast tests: noisy copies of one random
/// prototype "image" per class, stored as bytes like real images.
public enum SyntheticData {
  /// Train and test splits with `samplesPerClass` (train) and a quarter of it (test) per class.
  /// Throws `LearningError.invalidData` for fewer than 1 feature, `LearningError.invalidSpec`
  /// (before allocating anything) when the samples would not fit in this machine's memory,
  /// and `LearningError.cancelled` when `shouldStop` (asked every 4,096 samples) turns true.
  public static func make(
    classes: Int, features: Int, samplesPerClass: Int, seed: UInt64, noise: Float = 40,
    shouldStop: () -> Bool = { false }
  ) throws -> (train: Dataset, test: Dataset) {
    try checkSize(classes: classes, features: features, samplesPerClass: samplesPerClass)
    var random = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
    let prototypes = (0..<classes).map { _ in
      (0..<features).map { _ in random.nextFloat(in: 0, 255) }
    }
    func split(_ perClass: Int) throws -> Dataset {
      var bytes = [UInt8]()
      var targets = [Float]()
      bytes.reserveCapacity(perClass * classes * features)
      targets.reserveCapacity(perClass * classes)
      for sample in 0..<perClass {
        if sample % max(1, 4096 / max(1, classes)) == 0, shouldStop() {
          throw LearningError.cancelled
        }
        for c in 0..<classes {
          for value in prototypes[c] {
            let noisy = value + noise * random.nextGaussian()
            bytes.append(UInt8(max(0, min(255, noisy.rounded()))))
          }
          targets.append(Float(c))
        }
      }
      let side = Int(Double(features).squareRoot().rounded())
      return try Dataset(
        features: .bytes(bytes), featureCount: features, targets: targets,
        imageShape: side * side == features ? (side, side) : nil)
    }
    let train = try split(samplesPerClass)
    let test = try split(max(1, samplesPerClass / 4))
    return (train, test)
  }

  /// Refuses sizes whose samples (a byte per feature and a 4-byte label each, train and
  /// test) and the stream's copy of them (the tasks' splits) exceed the physical memory.
  static func checkSize(
    classes: Int, features: Int, samplesPerClass: Int,
    memory: UInt64 = ProcessInfo.processInfo.physicalMemory
  ) throws {
    // Doubles: an absurd size must be reported, not overflow.
    let samples = Double(classes) * Double(samplesPerClass + max(1, samplesPerClass / 4))
    let needed = 2 * samples * Double(features + 4)
    guard needed >= Double(memory) else { return }
    let sizes = [
      ("data.classes", classes), ("data.features", features),
      ("data.samples_per_class", samplesPerClass),
    ]
    let key = sizes.max { $0.1 < $1.1 }?.0 ?? "data.samples_per_class"
    throw LearningError.invalidSpec(
      key: key,
      message: "\(classes) classes × \(samplesPerClass) samples per class (and a quarter more"
        + " for test) × (\(features) feature bytes + a 4-byte label), twice (the data and the"
        + " stream's tasks), need \(MemoryBudget.describe(needed)); this machine has \(MemoryBudget.describe(Double(memory)))"
        + " of memory. Lower data.samples_per_class, data.features or data.classes")
  }

  /// A daily-like price series (random walk with drift and yearly regime changes) as CSV text
  /// with `Date` and `Close` columns, starting 2000-01-01, `days` rows.
  public static func priceSeriesCSV(days: Int, seed: UInt64) -> String {
    var random = SeededGenerator(seed: seed ^ 0x9121_CE5)
    var lines = ["Date,Close"]
    var price = 100.0
    var momentum = 0.0
    let calendar = Calendar(identifier: .gregorian)
    let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
    var day = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
    for _ in 0..<days {
      let parts = calendar.dateComponents(in: utc, from: day)
      let year = parts.year ?? 2000
      // Regimes alternate by year, so consecutive years are different tasks.
      let drift = year % 2 == 0 ? 0.001 : -0.0005
      momentum = 0.6 * momentum + 0.01 * Double(random.nextGaussian())
      price *= 1 + drift + momentum
      lines.append(
        String(format: "%04d-%02d-%02d,%.4f", year, parts.month ?? 1, parts.day ?? 1, price))
      day = day.addingTimeInterval(86_400)
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
