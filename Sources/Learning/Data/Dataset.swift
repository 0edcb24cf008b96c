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

  /// Creates a dataset; `features` must hold `targets.count × featureCount` values.
  public init(
    features: Features, featureCount: Int, targets: [Float],
    imageShape: (rows: Int, columns: Int)? = nil
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

  /// The samples at `indices`, in that order.
  public func subset<S: Sequence>(_ indices: S) -> Dataset where S.Element == Int {
    let list = Array(indices)
    let n = featureCount
    let picked: Features
    switch features {
    case .bytes(let all): picked = .bytes(Dataset.rows(list, of: all, width: n))
    case .floats(let all): picked = .floats(Dataset.rows(list, of: all, width: n))
    }
    return Dataset(
      features: picked, featureCount: n, targets: list.map { targets[$0] },
      imageShape: imageShape)
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

  /// The same samples with every byte feature rewritten by `transform` (row in, row out).
  public func mappingImages(_ transform: ([UInt8]) -> [UInt8]) -> Dataset {
    guard case .bytes(let all) = features else { return self }
    var out = [UInt8]()
    out.reserveCapacity(all.count)
    for row in 0..<count {
      out += transform(Array(all[row * featureCount..<(row + 1) * featureCount]))
    }
    return Dataset(
      features: .bytes(out), featureCount: featureCount, targets: targets, imageShape: imageShape)
  }

  /// Writes the scaled features of the samples at `indices` into `destination`, row by row.
  public func gather<C: Collection>(_ indices: C, into destination: UnsafeMutablePointer<Float>)
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

  /// The scaled features of sample `index`.
  public func featureVector(_ index: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: featureCount) { buffer, initialized in
      gather(CollectionOfOne(index), into: buffer.baseAddress!)
      initialized = featureCount
    }
  }

  /// Joins datasets with the same feature layout (the first one's image shape is kept).
  public static func concatenate(_ parts: [Dataset]) -> Dataset? {
    guard let first = parts.first else { return nil }
    let targets = parts.flatMap(\.targets)
    switch first.features {
    case .bytes:
      var all = [UInt8]()
      for part in parts {
        guard case .bytes(let bytes) = part.features else { return nil }
        all += bytes
      }
      return Dataset(
        features: .bytes(all), featureCount: first.featureCount, targets: targets,
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
        features: .floats(all), featureCount: first.featureCount, targets: targets,
        imageShape: first.imageShape)
    }
  }
}
