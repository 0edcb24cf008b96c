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
  case object(JSONObject)

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

/// An object's members in their order. Request objects are small (a metric has four
/// members), where a linear search beats hashing every key; a repeated name reads as its
/// last value, as a dictionary would keep it.
struct JSONObject: Sendable, Equatable {
  private(set) var names: [String] = []
  private(set) var values: [JSON] = []

  init() {}

  init(_ members: [String: JSON]) {
    for (name, value) in members { append(name, value) }
  }

  mutating func append(_ name: String, _ value: JSON) {
    names.append(name)
    values.append(value)
  }

  subscript(name: String) -> JSON? {
    var index = names.count - 1
    while index >= 0 {
      if names[index] == name { return values[index] }
      index -= 1
    }
    return nil
  }

  static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    Set(lhs.names) == Set(rhs.names) && lhs.names.allSatisfy { lhs[$0] == rhs[$0] }
  }
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
    var members = JSONObject()
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
      members.append(key, try parseValue())
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
    // Integers of up to 15 digits (steps, timestamps) need no strtod: exact as doubles.
    let negative = bytes[start] == UInt8(ascii: "-")
    let digitsStart = negative ? start + 1 : start
    if index - digitsStart <= 15, !(digitsStart..<index).contains(where: { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }) {
      var value: Int64 = 0
      for position in digitsStart..<index { value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0")) }
      return Double(negative ? -value : value)
    }
    // strtod on a NUL-terminated copy on the stack (no String to allocate); the grammar
    // above already checked the text, so strtod reads all of it.
    let length = index - start
    let value: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) {
      buffer in
      for offset in 0..<length { buffer[offset] = CChar(bitPattern: bytes[start + offset]) }
      buffer[length] = 0
      var end: UnsafeMutablePointer<CChar>? = nil
      let parsed = strtod(buffer.baseAddress!, &end)
      return end == buffer.baseAddress! + length && parsed.isFinite ? parsed : nil
    }
    guard let value else { throw error("number out of range") }
    return value
  }

  private mutating func parseString() throws -> String {
    index += 1
    let start = index
    // Fast path: no escapes.
    var ascii = true
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        let text = try ascii ? asciiText(start..<index) : validUTF8(start..<index)
        index += 1
        return text
      }
      if byte >= 0x80 { ascii = false }
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

  /// Bytes known to be ASCII (keys, metric names): valid UTF-8 as they are. Through a typed
  /// buffer, so the standard library's specialized path runs (a raw buffer went through
  /// generic metadata lookups on every string: ~3% of a log-batch request in perf).
  private func asciiText(_ range: Range<Int>) -> String {
    let slice = UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self)
    return String(decoding: slice, as: UTF8.self)
  }

  private func validUTF8(_ range: Range<Int>) throws -> String {
    let slice = UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self)
    guard let text = String(validating: slice, as: UTF8.self) else {
      throw error("a string is not valid UTF-8")
    }
    return text
  }
}

/// A log-batch request body of the plain shape MLflow's clients send: `run_id` (or
/// `run_uuid`), `metrics` of `{key, value, timestamp, step}` with numbers, and empty (or no)
/// `params` and `tags`, read straight into values with no JSON tree (the tree and its
/// freeing were most of a 1,000-point request's parse in perf).
struct PlainLogBatch {
  struct Metric {
    var key: String
    var value: Double
    var timestamp: Int64?
    var step: Int64?
  }

  var runID: String?
  var runUUID: String?
  var metrics: [Metric] = []
}

extension JSONReader {
  /// The body as a `PlainLogBatch`, or nil when it is anything else (malformed, another
  /// shape, a string where a number usually is, params or tags): the general parser then
  /// reads it and says what is wrong, so both paths accept and refuse the same bodies.
  static func plainLogBatch(_ data: UnsafeRawBufferPointer) -> PlainLogBatch? {
    var reader = JSONReader(bytes: data)
    return try? reader.readPlainLogBatch()
  }

  private struct NotPlain: Error {}

  private mutating func readPlainLogBatch() throws -> PlainLogBatch? {
    var batch = PlainLogBatch()
    skipWhitespace()
    try expect(UInt8(ascii: "{"))
    try members { reader, name in
      switch name {
      case "run_id": batch.runID = try reader.plainString()
      case "run_uuid": batch.runUUID = try reader.plainString()
      case "metrics":
        batch.metrics = []
        try reader.expect(UInt8(ascii: "["))
        try reader.elements { reader in
          var key: String?
          var value: Double?
          var metric = PlainLogBatch.Metric(key: "", value: 0)
          try reader.expect(UInt8(ascii: "{"))
          try reader.members { reader, field in
            switch field {
            case "key": key = try reader.plainString()
            case "value": value = try reader.plainNumber()
            case "timestamp": metric.timestamp = try reader.plainInteger()
            case "step": metric.step = try reader.plainInteger()
            default: throw NotPlain()
            }
          }
          guard let key, let value else { throw NotPlain() }
          metric.key = key
          metric.value = value
          batch.metrics.append(metric)
        }
      case "params", "tags":
        try reader.expect(UInt8(ascii: "["))
        reader.skipWhitespace()
        try reader.expect(UInt8(ascii: "]"))
      default: throw NotPlain()
      }
    }
    skipWhitespace()
    guard index == bytes.count else { throw NotPlain() }
    return batch
  }

  private mutating func expect(_ byte: UInt8) throws {
    skipWhitespace()
    guard index < bytes.count, bytes[index] == byte else { throw NotPlain() }
    index += 1
  }

  /// `"name": value, ...}` after the `{`, each value read by `body`.
  private mutating func members(_ body: (inout JSONReader, String) throws -> Void) throws {
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return
    }
    while true {
      let name = try plainString()
      try expect(UInt8(ascii: ":"))
      skipWhitespace()
      try body(&self, name)
      skipWhitespace()
      guard index < bytes.count else { throw NotPlain() }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "}"))
      return
    }
  }

  /// `value, ...]` after the `[`, each read by `body`.
  private mutating func elements(_ body: (inout JSONReader) throws -> Void) throws {
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return
    }
    while true {
      try body(&self)
      skipWhitespace()
      guard index < bytes.count else { throw NotPlain() }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      try expect(UInt8(ascii: "]"))
      return
    }
  }

  private mutating func plainString() throws -> String {
    skipWhitespace()
    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw NotPlain() }
    return try parseString()
  }

  private mutating func plainNumber() throws -> Double {
    skipWhitespace()
    guard index < bytes.count,
      bytes[index] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
    else { throw NotPlain() }
    return try parseNumber()
  }

  /// An integer number as `Fields.int64` accepts it (whole, within ±2^53).
  private mutating func plainInteger() throws -> Int64 {
    let number = try plainNumber()
    guard number == number.rounded(), abs(number) <= 9.007_199_254_740_992e15 else { throw NotPlain() }
    return Int64(number)
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
