import Foundation

/// Samples in memory: features row by row, one target per sample.
///
/// Images stay `UInt8` (a quarter of the memory of `Float`) and are scaled to [0, 1] only
/// when a batch is gathered; tabular data and series windows are stored as `Float`.
///
/// A dataset can be a view of another one's storage with its features in another order
/// (`permutingFeatures(_:)`): a permuted stream's tasks share one copy of the images, and
/// the permutation is applied when a batch or an evaluation reads the rows.
public struct Dataset: Sendable {
  /// Feature storage: raw bytes (scaled by 1/255 when read) or floats.
  public enum Features: Sendable {
    case bytes([UInt8])
    case floats([Float])
  }

  /// All features, `count × featureCount`, row-major, in feature order. For a view made by
  /// `permutingFeatures(_:)` this builds a reordered copy; batches and evaluation read the
  /// storage directly instead.
  public var features: Features {
    guard let order = featureOrder else { return storage }
    let n = featureCount
    switch storage {
    case .bytes(let all): return .bytes(Dataset.rows(0..<count, of: all, width: n, order: order))
    case .floats(let all): return .floats(Dataset.rows(0..<count, of: all, width: n, order: order))
    }
  }
  /// The stored rows, `count × featureCount`; shared (copy-on-write) by permuted views.
  private var storage: Features
  /// When set, feature k of a sample is value `featureOrder[k]` of its stored row.
  private var featureOrder: [Int]?
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
              imageShape: imageShape, featureOrder: nil)
  }

  /// A dataset whose shape the caller has already checked (or derived from a checked one).
  private init(
    checked features: Features, featureCount: Int, targets: [Float],
    imageShape: (rows: Int, columns: Int)?, featureOrder: [Int]?
  ) {
    storage = features
    self.featureCount = featureCount
    self.targets = targets
    self.imageShape = imageShape
    self.featureOrder = featureOrder
  }

  /// The same samples with feature k taken from feature `order[k]` (e.g. a permuted-pixels
  /// task). The view shares this dataset's storage: nothing is copied. Throws
  /// `LearningError.invalidData` when `order` is not a permutation of `0..<featureCount`.
  ///
  /// ```swift
  /// var order = Array(0..<images.featureCount)
  /// random.shuffle(&order)
  /// let task = try images.permutingFeatures(order)  // no copy of the pixels
  /// ```
  public func permutingFeatures(_ order: [Int]) throws -> Dataset {
    var seen = [Bool](repeating: false, count: featureCount)
    for k in order where 0 <= k && k < featureCount { seen[k] = true }
    guard order.count == featureCount, !seen.contains(false) else {
      throw LearningError.invalidData(
        file: "dataset", line: nil, column: nil,
        message: "a feature order of \(order.count) values is not a permutation of the"
          + " \(featureCount) features")
    }
    // Composing with an existing order keeps one level of indirection.
    let composed = featureOrder.map { earlier in order.map { earlier[$0] } } ?? order
    return Dataset(
      checked: storage, featureCount: featureCount, targets: targets, imageShape: imageShape,
      featureOrder: composed)
  }

  /// Whether `other` reads the same stored rows (a view of the same data, no copy).
  func sharesStorage(with other: Dataset) -> Bool {
    func same<T>(_ a: [T], _ b: [T]) -> Bool {
      a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { x.baseAddress == $0.baseAddress } }
    }
    switch (storage, other.storage) {
    case (.bytes(let a), .bytes(let b)): return same(a, b)
    case (.floats(let a), .floats(let b)): return same(a, b)
    default: return false
    }
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
    // Rows are copied as stored; a view's feature order still applies to them.
    let picked: Features
    switch storage {
    case .bytes(let all): picked = .bytes(Dataset.rows(list, of: all, width: n, order: nil))
    case .floats(let all): picked = .floats(Dataset.rows(list, of: all, width: n, order: nil))
    }
    return Dataset(
      checked: picked, featureCount: n, targets: list.map { targets[$0] },
      imageShape: imageShape, featureOrder: featureOrder)
  }

  private func outOfRange(_ index: Int) -> String {
    "sample index \(index) is out of range for a dataset of \(count) samples"
  }

  /// Rows `list` (each `width` values) of a row-major buffer, in that order; value k of a
  /// row is stored value `order[k]` when an order is given.
  private static func rows<T: Numeric, C: Collection>(
    _ list: C, of all: [T], width n: Int, order: [Int]?
  ) -> [T] where C.Element == Int {
    var out = [T](repeating: .zero, count: list.count * n)
    all.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for (row, index) in list.enumerated() {
          let from = index * n
          if let order {
            for k in 0..<n { dst[row * n + k] = src[from + order[k]] }
          } else {
            for k in 0..<n { dst[row * n + k] = src[from + k] }
          }
        }
      }
    }
    return out
  }

  /// The same samples with every byte feature rewritten by `transform` (row in, row out of
  /// the same length); `transform` may throw (e.g. `LearningError.cancelled`) to stop.
  public func mappingImages(_ transform: ([UInt8]) throws -> [UInt8]) rethrows -> Dataset {
    guard case .bytes(let all) = storage else { return self }
    var out = [UInt8]()
    out.reserveCapacity(all.count)
    for row in 0..<count {
      let stored = all[row * featureCount..<(row + 1) * featureCount]
      let pixels = featureOrder.map { order in order.map { stored[stored.startIndex + $0] } }
      let mapped = try transform(pixels ?? Array(stored))
      precondition(mapped.count == featureCount,
                   "mappingImages: a row of \(featureCount) became \(mapped.count) values")
      out += mapped
    }
    return Dataset(
      checked: .bytes(out), featureCount: featureCount, targets: targets, imageShape: imageShape,
      featureOrder: nil)
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
    switch (storage, featureOrder) {
    case (.bytes(let all), nil):
      let scale: Float = 1.0 / 255
      all.withUnsafeBufferPointer { src in
        for (row, index) in indices.enumerated() {
          let from = src.baseAddress! + index * n
          let to = destination + row * n
          for k in 0..<n { to[k] = Float(from[k]) * scale }
        }
      }
    case (.bytes(let all), let order?):
      // The same scaling as a stored copy in this order: the same bits.
      let scale: Float = 1.0 / 255
      all.withUnsafeBufferPointer { src in
        order.withUnsafeBufferPointer { order in
          for (row, index) in indices.enumerated() {
            let from = src.baseAddress! + index * n
            let to = destination + row * n
            for k in 0..<n { to[k] = Float(from[order[k]]) * scale }
          }
        }
      }
    case (.floats(let all), nil):
      all.withUnsafeBufferPointer { src in
        for (row, index) in indices.enumerated() {
          (destination + row * n).update(from: src.baseAddress! + index * n, count: n)
        }
      }
    case (.floats(let all), let order?):
      all.withUnsafeBufferPointer { src in
        order.withUnsafeBufferPointer { order in
          for (row, index) in indices.enumerated() {
            let from = src.baseAddress! + index * n
            let to = destination + row * n
            for k in 0..<n { to[k] = from[order[k]] }
          }
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
    switch first.storage {
    case .bytes:
      // Views in one feature order (e.g. one permuted task's) join as stored, keeping the
      // order; parts in different orders are joined in feature order.
      let shared = parts.allSatisfy { $0.featureOrder == first.featureOrder }
      var all = [UInt8]()
      for part in parts {
        guard case .bytes(let bytes) = shared ? part.storage : part.features else { return nil }
        all += bytes
      }
      return Dataset(
        checked: .bytes(all), featureCount: first.featureCount, targets: targets,
        imageShape: first.imageShape, featureOrder: shared ? first.featureOrder : nil)
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
        imageShape: first.imageShape, featureOrder: nil)
    }
  }
}
