import CZlib
import Foundation

/// The model a spec's data implies (input width from the IDX header or the CSV columns,
/// outputs from the largest class label), checked before anything is trained or recorded.
///
/// The data is read as little as possible: an IDX file's header only, a CSV file's cells
/// (the loader reads them again when the run starts). Problems name the file and line; a
/// model that would not fit in memory is refused through `MemoryBudget`.
///
/// ```swift
/// try DataShape.check(spec)  // before store.startRun
/// ```
public enum DataShape {
  /// The largest class label: labels are stored as `Float`, exact up to 2^24, and each
  /// class is one output of the model.
  public static let largestClassLabel = 16_777_215

  /// Throws `invalidData` (file, line) for data the learner cannot use, or `invalidSpec`
  /// when the model or batches it implies do not fit in `MemoryBudget.bytes`.
  public static func check(_ spec: ExperimentSpec) throws {
    switch spec.data.source {
    case .synthetic:
      try MemoryBudget.check(spec, inputSize: nil, outputSize: nil)
    case .fashionMNIST, .idx:
      try checkImages(spec)
    case .csv:
      try checkCSV(spec)
    case .series:
      try MemoryBudget.check(
        spec, inputSize: spec.data.window, outputSize: 1, inputKey: "data.window")
    case .randomRegression:
      try RandomRegression.checkSize(spec.data, tasks: spec.scenario.tasks ?? 1)
      try MemoryBudget.check(
        spec, inputSize: spec.data.features, outputSize: 1, inputKey: "data.features")
    }
  }

  private static func checkImages(_ spec: ExperimentSpec) throws {
    let directory = spec.data.path ?? FashionMNIST.defaultDirectory
    for stem in ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"] {
      // A missing file is the loader's to report (it names both spellings).
      guard
        let path = ["\(directory)/\(stem).gz", "\(directory)/\(stem)"].first(where: {
          FileManager.default.fileExists(atPath: $0)
        })
      else { continue }
      let dimensions = try imageDimensions(path)
      var features = 1
      for size in dimensions.dropFirst() {
        let (product, overflow) = features.multipliedReportingOverflow(by: size)
        features = overflow ? Int.max : product
      }
      do {
        try MemoryBudget.check(spec, inputSize: features, outputSize: nil, inputKey: "data.path")
      } catch LearningError.invalidSpec(let key, let message) where key == "data.path" {
        throw LearningError.invalidData(
          file: path, line: nil, column: nil,
          message: "its header announces images of "
            + "\(dimensions.dropFirst().map(String.init).joined(separator: "×")) values, which "
            + message.replacingOccurrences(of: "use fewer input features", with: "use smaller images"))
      }
    }
  }

  /// The dimensions an IDX image file's header announces, each checked to be at least 1.
  static func imageDimensions(_ path: String) throws -> [Int] {
    func fail(_ message: String) -> LearningError {
      LearningError.invalidData(file: path, line: nil, column: nil, message: message)
    }
    guard let file = gzopen(path, "rb") else { throw fail("cannot open (permissions?)") }
    defer { gzclose(file) }
    func read(_ count: Int) -> [UInt8]? {
      var bytes = [UInt8](repeating: 0, count: count)
      let got = bytes.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(count)) }
      return got == count ? bytes : nil
    }
    guard let magic = read(4), magic[0] == 0, magic[1] == 0 else {
      throw fail("not an IDX file (the magic number must start with two zero bytes)")
    }
    let rank = Int(magic[3])
    guard rank >= 2, let header = read(4 * rank) else {
      throw fail("an image file needs a header of at least 2 dimensions (it has \(rank))")
    }
    let dimensions = (0..<rank).map { d in
      header[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) }
    }
    if dimensions.contains(0) {
      throw fail(
        "its header announces dimensions \(dimensions.map(String.init).joined(separator: "×")); "
          + "every dimension must be at least 1: the file holds no usable images")
    }
    return dimensions
  }

  private static func checkCSV(_ spec: ExperimentSpec) throws {
    let data = spec.data
    guard let target = data.target else { return }
    let files = (data.files ?? []).isEmpty ? [data.path].compactMap { $0 } : data.files ?? []
    for file in files {
      let table = try CSVTable(path: file)
      let targetIndex = try table.columnIndex(target)
      let skipped = data.taskColumn.map { table.header.contains($0) ? 2 : 1 } ?? 1
      let features = max(1, table.header.count - skipped)
      guard !data.regression else {
        try MemoryBudget.check(spec, inputSize: features, outputSize: 1)
        continue
      }
      var largest = (label: 0, row: 0)
      for row in table.rows.indices {
        let label = try table.number(row: row, column: targetIndex)
        guard label >= 0, label == label.rounded(), label <= Float(largestClassLabel) else {
          throw LearningError.invalidData(
            file: file, line: table.lines[row], column: target,
            message: "class label \(table.text(row: row, column: targetIndex)) is not a class "
              + "number: labels are whole numbers from 0 to \(largestClassLabel), one model "
              + "output per class; number the classes 0, 1, 2, ... or set "
              + "data.regression: true for real-valued targets")
        }
        if Int(label) > largest.label { largest = (Int(label), row) }
      }
      do {
        try MemoryBudget.check(
          spec, inputSize: features, outputSize: largest.label + 1, outputKey: "data.target")
      } catch LearningError.invalidSpec(let key, let message) where key == "data.target" {
        throw LearningError.invalidData(
          file: file, line: table.lines.isEmpty ? nil : table.lines[largest.row], column: target,
          message: "class label \(largest.label) \(message), numbered 0, 1, 2, ...")
      }
    }
  }
}
