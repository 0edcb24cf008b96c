import Foundation

/// Samples in memory: features row by row, one target per sample.
///
/// Images stay `UInt8` (a quarter of the memory of `Float`) and are scaled to [0, 1] only
/// when a batch is gathered; tabular data and series windows are stored as `Float`.
public struct Dataset: Sendable {
  /// Feature storage: raw bytes (scaled by 1/255 when read) or floats.
  public enum Features: Sendable {
    case bytes([UInt8])
    case floats([Float])
  }

  /// All features, `count × featureCount`, row-major.
  public private(set) var features: Features
  /// Values per sample.
  public let featureCount: Int
  /// Class label (as a whole number) or regression target per sample.
  public private(set) var targets: [Float]
  /// Image height and width when the features are a picture.
  public let imageShape: (rows: Int, columns: Int)?

  /// Number of samples.
  public var count: Int { targets.count }

  /// Creates a dataset; `features` must hold `targets.count × featureCount` values, and an
  /// image shape must have `featureCount` pixels. Throws `LearningError.invalidData`
  /// (file "dataset") when they do not.
  public init(
    features: Features, featureCount: Int, targets: [Float],
    imageShape: (rows: Int, columns: Int)? = nil
  ) throws {
    let values: Int
    switch features {
    case .bytes(let all): values = all.count
    case .floats(let all): values = all.count
    }
    func invalid(_ message: String) -> LearningError {
      .invalidData(file: "dataset", line: nil, column: nil, message: message)
    }
    guard featureCount >= 1 else {
      throw invalid("featureCount must be at least 1 (got \(featureCount))")
    }
    guard values == targets.count * featureCount else {
      throw invalid(
        "\(targets.count) targets × \(featureCount) features need"
          + " \(targets.count * featureCount) feature values, got \(values)")
    }
    if let shape = imageShape, shape.rows < 1 || shape.columns < 1
      || shape.rows * shape.columns != featureCount
    {
      throw invalid(
        "an image of \(shape.rows) × \(shape.columns) pixels does not have \(featureCount)"
          + " features")
    }
    self.init(checked: features, featureCount: featureCount, targets: targets,
              imageShape: imageShape)
  }

  /// A dataset whose shape the caller has already checked (or derived from a checked one).
  private init(
    checked features: Features, featureCount: Int, targets: [Float],
    imageShape: (rows: Int, columns: Int)?
  ) {
    self.features = features
    self.featureCount = featureCount
    self.targets = targets
    self.imageShape = imageShape
  }

  /// Class labels present, sorted.
  public var classes: [Int] { Array(Set(targets.map { Int($0) })).sorted() }

  /// Class label of sample `index`.
  public func label(_ index: Int) -> Int { Int(targets[index]) }

  /// The samples at `indices`, in that order; every index must be in `0..<count` (like an
  /// array subscript).
  public func subset<S: Sequence>(_ indices: S) -> Dataset where S.Element == Int {
    let list = Array(indices)
    for index in list { precondition(0 <= index && index < count, outOfRange(index)) }
    let n = featureCount
    let picked: Features
    switch features {
    case .bytes(let all): picked = .bytes(Dataset.rows(list, of: all, width: n))
    case .floats(let all): picked = .floats(Dataset.rows(list, of: all, width: n))
    }
    return Dataset(
      checked: picked, featureCount: n, targets: list.map { targets[$0] },
      imageShape: imageShape)
  }

  private func outOfRange(_ index: Int) -> String {
    "sample index \(index) is out of range for a dataset of \(count) samples"
  }

  /// Rows `list` (each `width` values) of a row-major buffer, in that order.
  private static func rows<T: Numeric>(_ list: [Int], of all: [T], width n: Int) -> [T] {
    var out = [T](repeating: .zero, count: list.count * n)
    all.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for (row, index) in list.enumerated() {
          for k in 0..<n { dst[row * n + k] = src[index * n + k] }
        }
      }
    }
    return out
  }

  /// The same samples with every byte feature rewritten by `transform` (row in, row out of
  /// the same length).
  public func mappingImages(_ transform: ([UInt8]) -> [UInt8]) -> Dataset {
    guard case .bytes(let all) = features else { return self }
    var out = [UInt8]()
    out.reserveCapacity(all.count)
    for row in 0..<count {
      let mapped = transform(Array(all[row * featureCount..<(row + 1) * featureCount]))
      precondition(mapped.count == featureCount,
                   "mappingImages: a row of \(featureCount) became \(mapped.count) values")
      out += mapped
    }
    return Dataset(
      checked: .bytes(out), featureCount: featureCount, targets: targets, imageShape: imageShape)
  }

  /// Writes the scaled features of the samples at `indices` into `destination`, row by row
  /// (`destination` must have room for `indices.count × featureCount` floats). Throws
  /// `LearningError.invalidData` before writing anything when an index is not in
  /// `0..<count`.
  public func gather<C: Collection>(_ indices: C, into destination: UnsafeMutablePointer<Float>)
    throws where C.Element == Int
  {
    for index in indices where index < 0 || index >= count {
      throw LearningError.invalidData(
        file: "dataset", line: nil, column: nil, message: outOfRange(index))
    }
    copyFeatures(indices, into: destination)
  }

  /// `gather` for indices known to be in range.
  func copyFeatures<C: Collection>(_ indices: C, into destination: UnsafeMutablePointer<Float>)
  where C.Element == Int {
    let n = featureCount
    switch features {
    case .bytes(let all):
      let scale: Float = 1.0 / 255
      all.withUnsafeBufferPointer { src in
        for (row, index) in indices.enumerated() {
          let from = src.baseAddress! + index * n
          let to = destination + row * n
          for k in 0..<n { to[k] = Float(from[k]) * scale }
        }
      }
    case .floats(let all):
      all.withUnsafeBufferPointer { src in
        for (row, index) in indices.enumerated() {
          (destination + row * n).update(from: src.baseAddress! + index * n, count: n)
        }
      }
    }
  }

  /// The scaled features of sample `index`, which must be in `0..<count` (like an array
  /// subscript).
  public func featureVector(_ index: Int) -> [Float] {
    precondition(0 <= index && index < count, outOfRange(index))
    return [Float](unsafeUninitializedCapacity: featureCount) { buffer, initialized in
      copyFeatures(CollectionOfOne(index), into: buffer.baseAddress!)
      initialized = featureCount
    }
  }

  /// Joins datasets with the same feature layout (the first one's image shape is kept); nil
  /// when there are none, or their feature counts differ.
  public static func concatenate(_ parts: [Dataset]) -> Dataset? {
    guard let first = parts.first,
      parts.allSatisfy({ $0.featureCount == first.featureCount })
    else { return nil }
    let targets = parts.flatMap(\.targets)
    switch first.features {
    case .bytes:
      var all = [UInt8]()
      for part in parts {
        guard case .bytes(let bytes) = part.features else { return nil }
        all += bytes
      }
      return Dataset(
        checked: .bytes(all), featureCount: first.featureCount, targets: targets,
        imageShape: first.imageShape)
    case .floats:
      var all = [Float]()
      for part in parts {
        switch part.features {
        case .floats(let values): all += values
        case .bytes(let bytes): all += bytes.map { Float($0) / 255 }
        }
      }
      return Dataset(
        checked: .floats(all), featureCount: first.featureCount, targets: targets,
        imageShape: first.imageShape)
    }
  }
}
