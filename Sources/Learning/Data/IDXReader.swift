import CZlib
import Foundation

/// Reads IDX files (the MNIST format), plain or gzip-compressed.
///
/// zlib's `gzread` passes uncompressed files through unchanged, so one path serves both.
public enum IDXReader {
  /// One IDX array: its dimensions and its unsigned bytes.
  public struct Array: Sendable {
    /// Sizes of each dimension (e.g. [60000, 28, 28]).
    public var dimensions: [Int]
    /// Values in row-major order.
    public var bytes: [UInt8]
  }

  /// Reads the whole (possibly gzip-compressed) file at `path`.
  public static func readFile(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "no such file; check the path")
    }
    guard let file = gzopen(path, "rb") else {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "cannot open (permissions?)")
    }
    defer { gzclose(file) }
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
      if read < 0 {
        throw LearningError.invalidData(
          file: path, line: nil, column: nil, message: "corrupt gzip stream")
      }
      if read == 0 { break }
      data.append(contentsOf: chunk[0..<Int(read)])
    }
    return data
  }

  /// Parses an IDX array of unsigned bytes (type 0x08) from the file at `path`.
  public static func read(_ path: String) throws -> Array {
    let data = try readFile(path)
    func fail(_ message: String) -> LearningError {
      LearningError.invalidData(file: path, line: nil, column: nil, message: message)
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
      throw fail("not an IDX file (the magic number must start with two zero bytes)")
    }
    guard bytes[2] == 0x08 else {
      throw fail(String(format: "unsupported IDX element type 0x%02x (only 0x08, bytes)", bytes[2]))
    }
    let rank = Int(bytes[3])
    let header = 4 + 4 * rank
    guard rank >= 1, bytes.count >= header else { throw fail("truncated IDX header") }
    var dimensions = [Int]()
    for d in 0..<rank {
      let o = 4 + 4 * d
      dimensions.append(
        Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
    }
    // In Double: dimensions of up to 2^32 − 1 each overflow an `Int` product.
    let expected = dimensions.reduce(1.0) { $0 * Double($1) }
    guard Double(bytes.count - header) == expected else {
      throw fail(
        "holds \(bytes.count - header) values but its header announces "
          + "\(String(format: "%.0f", expected)) (dimensions "
          + "\(dimensions.map(String.init).joined(separator: "×")))")
    }
    return Array(dimensions: dimensions, bytes: Swift.Array(bytes[header...]))
  }

  /// Loads images and labels into a dataset (images stay bytes).
  public static func load(images: String, labels: String) throws -> Dataset {
    let x = try read(images)
    let y = try read(labels)
    guard x.dimensions.count >= 2 else {
      throw LearningError.invalidData(
        file: images, line: nil, column: nil, message: "an image file needs at least 2 dimensions")
    }
    guard !x.dimensions.contains(0) else {
      throw LearningError.invalidData(
        file: images, line: nil, column: nil,
        message: "its header announces dimensions "
          + "\(x.dimensions.map(String.init).joined(separator: "×")); every dimension must be "
          + "at least 1: the file holds no usable images")
    }
    guard y.dimensions.count == 1, y.dimensions[0] == x.dimensions[0] else {
      throw LearningError.invalidData(
        file: labels, line: nil, column: nil,
        message: "holds \(y.dimensions) labels for \(x.dimensions[0]) images in \(images)")
    }
    let featureCount = x.dimensions.dropFirst().reduce(1, *)
    let shape = x.dimensions.count == 3 ? (rows: x.dimensions[1], columns: x.dimensions[2]) : nil
    return try Dataset(
      features: .bytes(x.bytes), featureCount: featureCount, targets: y.bytes.map { Float($0) },
      imageShape: shape)
  }
}
