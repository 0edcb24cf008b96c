import Foundation

/// A parsed JSON request body. Numbers keep the double they read as; protobuf's JSON (what
/// MLflow's clients send) writes 64-bit integers as strings and NaN/±Infinity as the strings
/// "NaN", "Infinity", "-Infinity", so the accessors below take both forms.
enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSON])
  case object([String: JSON])

  /// The member `key` of an object (nil for a missing key or a non-object).
  subscript(key: String) -> JSON? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  /// A string value.
  var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// An array value.
  var array: [JSON]? {
    if case .array(let items) = self { return items }
    return nil
  }

  /// True for JSON `null`.
  var isNull: Bool { self == .null }
}

/// A request body that is not the JSON the endpoint expects: the message says where.
struct JSONError: Error {
  var message: String
}

/// A strict RFC 8259 parser over bytes, with limits (depth 64) so hostile input is an error,
/// never a crash or a stack overflow.
struct JSONReader {
  private let bytes: UnsafeRawBufferPointer
  private var index = 0
  private var depth = 0
  private static let maximumDepth = 64

  /// Parses one JSON document (surrounding whitespace allowed).
  static func parse(_ data: UnsafeRawBufferPointer) throws -> JSON {
    var reader = JSONReader(bytes: data)
    reader.skipWhitespace()
    let value = try reader.parseValue()
    reader.skipWhitespace()
    guard reader.index == data.count else {
      throw reader.error("unexpected text after the JSON value")
    }
    return value
  }

  /// Parses bytes (e.g. a request body).
  static func parse(_ data: [UInt8]) throws -> JSON {
    try data.withUnsafeBytes { try parse($0) }
  }

  private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  private func error(_ what: String) -> JSONError {
    JSONError(message: "malformed JSON at byte \(index): \(what)")
  }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  private mutating func parseValue() throws -> JSON {
    guard index < bytes.count else { throw error("unexpected end of input") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
    case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
    case UInt8(ascii: "n"): try expectWord("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
    default: throw error("unexpected character")
    }
  }

  private mutating func expectWord(_ word: StaticString) throws {
    let count = word.utf8CodeUnitCount
    guard index + count <= bytes.count else { throw error("unexpected end of input") }
    for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
      throw error("unexpected word")
    }
    index += count
  }

  private mutating func enter() throws {
    depth += 1
    if depth > JSONReader.maximumDepth { throw error("nested deeper than 64 levels") }
  }

  private mutating func parseObject() throws -> JSON {
    try enter()
    index += 1
    var members: [String: JSON] = [:]
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a quoted member name")
      }
      let key = try parseString()
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
        throw error("expected ':' after a member name")
      }
      index += 1
      skipWhitespace()
      members[key] = try parseValue()
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input in an object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
      index += 1
      depth -= 1
      return .object(members)
    }
  }

  private mutating func parseArray() throws -> JSON {
    try enter()
    index += 1
    var items: [JSON] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      depth -= 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input in an array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
      index += 1
      depth -= 1
      return .array(items)
    }
  }

  private mutating func parseNumber() throws -> Double {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    func digits(_ reader: inout JSONReader) -> Int {
      let from = reader.index
      while reader.index < reader.bytes.count,
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index])
      {
        reader.index += 1
      }
      return reader.index - from
    }
    let integerStart = index
    guard digits(&self) > 0 else { throw error("a number needs digits") }
    if bytes[integerStart] == UInt8(ascii: "0"), index - integerStart > 1 {
      throw error("a number cannot start with 0")
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard digits(&self) > 0 else { throw error("digits must follow '.'") }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard digits(&self) > 0 else { throw error("digits must follow the exponent") }
    }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let value = Double(text) else { throw error("number out of range") }
    return value
  }

  private mutating func parseString() throws -> String {
    index += 1
    let start = index
    // Fast path: no escapes.
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        let text = try validUTF8(start..<index)
        index += 1
        return text
      }
      if byte == UInt8(ascii: "\\") { break }
      if byte < 0x20 { throw error("control character in a string") }
      index += 1
    }
    var buffer = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        index += 1
        guard let text = String(validating: buffer, as: UTF8.self) else {
          throw error("a string is not valid UTF-8")
        }
        return text
      }
      if byte < 0x20 { throw error("control character in a string") }
      if byte != UInt8(ascii: "\\") {
        buffer.append(byte)
        index += 1
        continue
      }
      index += 1
      guard index < bytes.count else { break }
      let escape = bytes[index]
      index += 1
      switch escape {
      case UInt8(ascii: "\""): buffer.append(0x22)
      case UInt8(ascii: "\\"): buffer.append(0x5C)
      case UInt8(ascii: "/"): buffer.append(0x2F)
      case UInt8(ascii: "b"): buffer.append(0x08)
      case UInt8(ascii: "f"): buffer.append(0x0C)
      case UInt8(ascii: "n"): buffer.append(0x0A)
      case UInt8(ascii: "r"): buffer.append(0x0D)
      case UInt8(ascii: "t"): buffer.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
          guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
          else { throw error("a lone UTF-16 surrogate") }
          index += 2
          let low = try hex4()
          guard (0xDC00...0xDFFF).contains(low) else { throw error("a lone UTF-16 surrogate") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
          throw error("a lone UTF-16 surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
        buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
      default: throw error("invalid escape")
      }
    }
    throw error("unterminated string")
  }

  private mutating func hex4() throws -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("short \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw error("invalid \\u escape")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }

  private func validUTF8(_ range: Range<Int>) throws -> String {
    let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
    guard let text = String(validating: slice, as: UTF8.self) else {
      throw error("a string is not valid UTF-8")
    }
    return text
  }
}

/// Compact JSON output, written straight into a byte array (responses can hold 100,000
/// points: no intermediate tree).
struct JSONWriter {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

  mutating func raw(_ text: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

  mutating func string(_ text: String) {
    bytes.append(0x22)
    for byte in text.utf8 {
      switch byte {
      case 0x22: raw("\\\"")
      case 0x5C: raw("\\\\")
      case 0x0A: raw("\\n")
      case 0x0D: raw("\\r")
      case 0x09: raw("\\t")
      case 0..<0x20:
        raw("\\u00")
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        bytes.append(hex[Int(byte >> 4)])
        bytes.append(hex[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
    bytes.append(0x22)
  }

  /// A double as protobuf's JSON writes it: NaN and ±Infinity as strings.
  mutating func double(_ value: Double) {
    if value.isNaN { raw("\"NaN\"") } else if value == .infinity { raw("\"Infinity\"") } else if
      value == -.infinity
    {
      raw("\"-Infinity\"")
    } else if value == value.rounded(), abs(value) < 1e15 {
      raw(String(Int64(value)))
    } else {
      raw(String(value))
    }
  }

  mutating func integer(_ value: Int64) { raw(String(value)) }

  /// `"key":` (the caller writes the value).
  mutating func key(_ name: StaticString, first: Bool = false) {
    if !first { bytes.append(0x2C) }
    bytes.append(0x22)
    raw(name)
    raw("\":")
  }

  mutating func key(_ name: String, first: Bool = false) {
    if !first { bytes.append(0x2C) }
    string(name)
    bytes.append(0x3A)
  }

  mutating func comma() { bytes.append(0x2C) }
}
