import Foundation

/// One scalar a store holds: what a backend binds and what `StoreReading.query(_:)` returns.
/// Every backend (SQLite, PostgreSQL) has these five kinds.
public enum StoreValue: Equatable, Sendable, CustomStringConvertible {
  /// No value (SQL NULL).
  case null
  /// A 64-bit integer.
  case integer(Int64)
  /// A double. A NaN is stored as `null` ("not measured").
  case real(Double)
  /// UTF-8 text.
  case text(String)
  /// Raw bytes.
  case blob(Data)

  /// The value as it prints in a table cell.
  public var description: String {
    switch self {
    case .null: return "NULL"
    case .integer(let value): return String(value)
    case .real(let value): return StoreValue.format(value)
    case .text(let value): return value
    case .blob(let value): return "<\(value.count) bytes>"
    }
  }

  /// The value as a Double when it is numeric.
  public var doubleValue: Double? {
    switch self {
    case .integer(let value): return Double(value)
    case .real(let value): return value
    default: return nil
    }
  }

  /// Shortest round-tripping decimal form of a double ("0.01", "3", "nan", "inf").
  public static func format(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }
}
