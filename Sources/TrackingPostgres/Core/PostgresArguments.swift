import Foundation
import PostgresNIO
import Tracking

extension PostgresBindings {
  /// Bindings for the store's values in order (`$1`, `$2`, …). A NaN double binds as NULL:
  /// the schema's NULL = NaN (as in SQLite).
  init(_ values: [StoreValue]) {
    self.init(capacity: values.count)
    for value in values { append(value) }
  }

  /// Appends one of the store's values.
  mutating func append(_ value: StoreValue) {
    switch value {
    case .null: appendNull()
    case .integer(let number): append(number)
    case .real(let number): if number.isNaN { appendNull() } else { append(number) }
    case .text(let text): append(text)
    case .blob(let data): append(ByteBuffer(bytes: data))
    }
  }
}

/// A one-dimensional PostgreSQL array whose elements may be NULL (postgres-nio's arrays
/// cannot hold NULL): binds a column of a batch insert through `unnest`, one statement for
/// thousands of rows.
struct NullableArray<Element: NullableArrayElement>: PostgresNonThrowingEncodable {
  var elements: [Element?]

  init(_ elements: [Element?]) { self.elements = elements }

  static var psqlType: PostgresDataType { Element.arrayType }
  static var psqlFormat: PostgresFormat { .binary }

  func encode<JSONEncoder: PostgresJSONEncoder>(
    into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
  ) {
    // The binary array format: dimensions, has-NULL flag, element type, then per dimension
    // its length and lower bound, then each element as length (-1: NULL) and bytes.
    buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
    buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
    buffer.writeInteger(Element.elementType.rawValue)
    guard !elements.isEmpty else { return }
    buffer.writeInteger(Int32(elements.count))
    buffer.writeInteger(1, as: Int32.self)
    for element in elements {
      if let element {
        buffer.writeInteger(Int32(8))
        element.write(into: &buffer)
      } else {
        buffer.writeInteger(-1, as: Int32.self)
      }
    }
  }
}

/// An 8-byte element of a `NullableArray`.
protocol NullableArrayElement: Sendable {
  static var elementType: PostgresDataType { get }
  static var arrayType: PostgresDataType { get }
  func write(into buffer: inout ByteBuffer)
}

extension Int64: NullableArrayElement {
  static var elementType: PostgresDataType { .int8 }
  static var arrayType: PostgresDataType { .int8Array }
  func write(into buffer: inout ByteBuffer) { buffer.writeInteger(self) }
}

extension Double: NullableArrayElement {
  static var elementType: PostgresDataType { .float8 }
  static var arrayType: PostgresDataType { .float8Array }
  func write(into buffer: inout ByteBuffer) { buffer.writeInteger(bitPattern) }
}

extension String {
  /// SQL written with `?` placeholders (as the filter compiler writes it) with PostgreSQL's
  /// `$1`, `$2`, … instead, numbered from `start`. Only for SQL track generates: its values are
  /// always bound, so a `?` in it is always a placeholder.
  func numberingPlaceholders(from start: Int = 1) -> String {
    var result = ""
    var next = start
    for character in self {
      if character == "?" {
        result += "$\(next)"
        next += 1
      } else {
        result.append(character)
      }
    }
    return result
  }
}
