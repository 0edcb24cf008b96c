import CZlib
import Foundation

/// Reads IDX files (the MNIST format), plain or gzip-compressed.
///
/// zlib's `gzread` passes uncompressed files through unchanged, so one path serves both.
/// Every reader takes the caller's `shouldStop` and asks it once per MiB read, throwing
/// `LearningError.cancelled` when it turns true.
public enum IDXReader {
  /// One IDX array: its dimensions and its unsigned bytes.
  public struct Array: Sendable {
    /// Sizes of each dimension (e.g. [60000, 28, 28]).
    public var dimensions: [Int]
    /// Values in row-major order.
    public var bytes: [UInt8]
  }

  private static let chunk = 1 << 20

  /// Reads the whole (possibly gzip-compressed) file at `path`.
  public static func readFile(_ path: String, shouldStop: () -> Bool = { false }) throws -> Data {
    try withFile(path) { file in
      var data = Data()
      var buffer = [UInt8](repeating: 0, count: chunk)
      while true {
        if shouldStop() { throw LearningError.cancelled }
        let read = try readChunk(file, into: &buffer, at: 0, count: chunk, path: path)
        if read == 0 { break }
        data.append(contentsOf: buffer[0..<read])
      }
      return data
    }
  }

  /// Parses an IDX array of unsigned bytes (type 0x08) from the file at `path`.
  ///
  /// The header is read first, so the values go straight into one array of the announced
  /// size, and a header announcing more than this machine's memory is refused before
  /// anything is allocated.
  public static func read(_ path: String, shouldStop: () -> Bool = { false }) throws -> Array {
    func fail(_ message: String) -> LearningError {
      LearningError.invalidData(file: path, line: nil, column: nil, message: message)
    }
    return try withFile(path) { file in
      var magic = [UInt8](repeating: 0, count: 4)
      guard try readChunk(file, into: &magic, at: 0, count: 4, path: path) == 4,
        magic[0] == 0, magic[1] == 0
      else {
        throw fail("not an IDX file (the magic number must start with two zero bytes)")
      }
      guard magic[2] == 0x08 else {
        throw fail(
          String(format: "unsupported IDX element type 0x%02x (only 0x08, bytes)", magic[2]))
      }
      let rank = Int(magic[3])
      var sizes = [UInt8](repeating: 0, count: 4 * rank)
      guard rank >= 1, try readChunk(file, into: &sizes, at: 0, count: 4 * rank, path: path)
        == 4 * rank
      else { throw fail("truncated IDX header") }
      let dimensions = (0..<rank).map { d in
        sizes[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) }
      }
      let shape = dimensions.map(String.init).joined(separator: "×")
      var expected = 1
      for size in dimensions {
        let (product, overflow) = expected.multipliedReportingOverflow(by: size)
        guard !overflow else { throw fail("its header announces \(shape) values, too many") }
        expected = product
      }
      let memory = ProcessInfo.processInfo.physicalMemory
      guard UInt64(expected) < memory else {
        throw fail(
          "its header announces \(shape) = \(expected) bytes, more than this machine's"
            + " \(memory) bytes of memory")
      }
      var bytes = [UInt8](repeating: 0, count: expected)
      var filled = 0
      while filled < expected {
        if shouldStop() { throw LearningError.cancelled }
        let read = try readChunk(
          file, into: &bytes, at: filled, count: min(chunk, expected - filled), path: path)
        if read == 0 { break }
        filled += read
      }
      var extra = [UInt8](repeating: 0, count: chunk)
      var more = 0
      while true {
        if shouldStop() { throw LearningError.cancelled }
        let read = try readChunk(file, into: &extra, at: 0, count: chunk, path: path)
        if read == 0 { break }
        more += read
      }
      guard filled == expected, more == 0 else {
        throw fail(
          "holds \(filled + more) values but its header announces \(expected) (\(shape))")
      }
      return Array(dimensions: dimensions, bytes: bytes)
    }
  }

  /// Loads images and labels into a dataset (images stay bytes). Every label must be one of
  /// the `classes` classes `0..<classes` (MNIST layouts have 10); a label outside them is an
  /// error naming the labels file and the record.
  public static func load(
    images: String, labels: String, classes: Int = 10, shouldStop: () -> Bool = { false }
  ) throws -> Dataset {
    let x = try read(images, shouldStop: shouldStop)
    let y = try read(labels, shouldStop: shouldStop)
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
    try checkLabels(y.bytes, classes: classes, file: labels)
    let featureCount = x.dimensions.dropFirst().reduce(1, *)
    let shape = x.dimensions.count == 3 ? (rows: x.dimensions[1], columns: x.dimensions[2]) : nil
    return try Dataset(
      features: .bytes(x.bytes), featureCount: featureCount, targets: y.bytes.map { Float($0) },
      imageShape: shape)
  }

  /// Refuses a label outside `0..<classes`, naming the first such record (counted from 0,
  /// as IDX records are) and how many there are.
  private static func checkLabels(_ labels: [UInt8], classes: Int, file: String) throws {
    guard let first = labels.firstIndex(where: { Int($0) >= classes }) else { return }
    let count = labels[first...].count(where: { Int($0) >= classes })
    let others = count > 1 ? " (and \(count - 1) more records)" : ""
    throw LearningError.invalidData(
      file: file, line: nil, column: nil,
      message: "record \(first) (counting from 0) has label \(labels[first]), outside the"
        + " \(classes) classes 0–\(classes - 1)\(others); fix the labels or set data.classes")
  }

  /// Opens `path` with zlib and runs `body` on it, closing it afterwards.
  private static func withFile<T>(_ path: String, _ body: (gzFile) throws -> T) throws -> T {
    guard FileManager.default.fileExists(atPath: path) else {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "no such file; check the path")
    }
    guard let file = gzopen(path, "rb") else {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "cannot open (permissions?)")
    }
    defer { gzclose(file) }
    return try body(file)
  }

  /// Reads up to `count` bytes into `buffer[offset...]`; returns how many (0 at the end).
  private static func readChunk(
    _ file: gzFile, into buffer: inout [UInt8], at offset: Int, count: Int, path: String
  ) throws -> Int {
    let read = buffer.withUnsafeMutableBytes {
      gzread(file, $0.baseAddress! + offset, UInt32(count))
    }
    if read < 0 {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "corrupt gzip stream")
    }
    return Int(read)
  }
}
