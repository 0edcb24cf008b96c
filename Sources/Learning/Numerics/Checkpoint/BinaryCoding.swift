import CZlib
import Foundation

/// Appends little-endian fields to a byte buffer.
struct BinaryWriter {
  var data = Data()

  mutating func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }

  mutating func append(_ bytes: [UInt8]) { data.append(contentsOf: bytes) }

  mutating func append(floats: UnsafeBufferPointer<Float>) {
    let start = data.count
    data.count += floats.count * 4
    data.withUnsafeMutableBytes { raw in
      let out = raw.baseAddress! + start
      for (i, value) in floats.enumerated() {
        out.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
      }
    }
  }

  /// Appends the CRC-32 of everything written so far.
  mutating func appendChecksum() { append(BinaryCoding.crc32(data)) }
}

/// Reads little-endian fields, failing with `CheckpointError.truncated` past the end.
struct BinaryReader {
  let data: Data
  let what: String
  private(set) var offset = 0

  init(_ data: Data, what: String) {
    self.data = Data(data)  // rebased so indices start at 0
    self.what = what
  }

  var remaining: Int { data.count - offset }

  mutating func need(_ count: Int, for field: String) throws {
    guard count >= 0, remaining >= count else {
      throw CheckpointError(
        .truncated,
        "\(what) ends at byte \(data.count) while reading \(field) at byte \(offset) "
          + "(needs \(count) bytes); the file was cut short, save it again")
    }
  }

  mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws -> T {
    let size = MemoryLayout<T>.size
    try need(size, for: field)
    var value: T = 0
    data.withUnsafeBytes { raw in
      withUnsafeMutableBytes(of: &value) {
        $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + size]))
      }
    }
    offset += size
    return T(littleEndian: value)
  }

  mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
    try need(count, for: field)
    defer { offset += count }
    return [UInt8](data[offset..<offset + count])
  }

  mutating func readFloats(_ count: Int, _ field: String) throws -> [Float] {
    guard count <= remaining / 4 else {
      try need(count &* 4, for: field)
      return []
    }
    try need(count * 4, for: field)
    let result = data.withUnsafeBytes { raw in
      [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count {
          let bits = raw.loadUnaligned(fromByteOffset: offset + i * 4, as: UInt32.self)
          buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
        }
        initialized = count
      }
    }
    offset += count * 4
    return result
  }

  /// Checks that exactly the four checksum bytes are left.
  mutating func expectChecksumNext() throws {
    try need(4, for: "the CRC-32")
    guard remaining == 4 else {
      throw CheckpointError(
        .invalidContent,
        "\(remaining - 4) unexpected bytes after the content at byte \(offset) of \(what)")
    }
  }

  /// Checks that the last four bytes are the CRC-32 of everything before them.
  func verifyChecksum() throws {
    guard data.count >= 4 else {
      throw CheckpointError(.truncated, "\(what) is only \(data.count) bytes long")
    }
    let body = data.prefix(data.count - 4)
    var stored: UInt32 = 0
    data.withUnsafeBytes { stored = $0.loadUnaligned(fromByteOffset: data.count - 4,
                                                      as: UInt32.self) }
    let expected = BinaryCoding.crc32(body)
    guard UInt32(littleEndian: stored) == expected else {
      throw CheckpointError(
        .checksumMismatch,
        "\(what) of \(data.count) bytes fails its CRC-32 check (stored "
          + "\(String(UInt32(littleEndian: stored), radix: 16)), computed "
          + "\(String(expected, radix: 16))); the bytes were altered or cut, "
          + "use another checkpoint")
    }
  }
}

enum BinaryCoding {
  static func crc32(_ data: Data) -> UInt32 {
    data.withUnsafeBytes { raw -> UInt32 in
      guard let base = raw.bindMemory(to: UInt8.self).baseAddress else {
        return UInt32(CZlib.crc32(0, nil, 0))
      }
      return UInt32(CZlib.crc32(0, base, uInt(raw.count)))
    }
  }
}
