import Foundation
import PostgresNIO
import Tracking

/// One result row, read by column index with the store's types; a cell of an unexpected type
/// is `.storage` naming the statement (another client changed a column?).
struct PostgresCells {
  private let row: PostgresRandomAccessRow
  private let sql: String

  init(_ row: PostgresRow, sql: String) {
    self.row = row.makeRandomAccess()
    self.sql = sql
  }

  var count: Int { row.count }

  func cell(_ index: Int) -> PostgresCell { row[index] }

  func isNull(_ index: Int) -> Bool { row[index].bytes == nil }

  private func decode<T: PostgresDecodable>(_ type: T.Type, _ index: Int) throws -> T {
    do {
      return try row[index].decode(T.self)
    } catch {
      let cell = row[index]
      throw TrackingError(
        .storage,
        "Column '\(cell.columnName)' (PostgreSQL type \(cell.dataType)) could not be read as "
          + "\(T.self).",
        detail: "statement: \(sql.prefix(200))")
    }
  }

  func int64(_ index: Int) throws -> Int64 { try decode(Int64.self, index) }
  func int(_ index: Int) throws -> Int { Int(try int64(index)) }
  func double(_ index: Int) throws -> Double { try decode(Double.self, index) }
  func string(_ index: Int) throws -> String { try decode(String.self, index) }

  func data(_ index: Int) throws -> Data {
    Data(try decode(ByteBuffer.self, index).readableBytesView)
  }

  func optionalInt64(_ index: Int) throws -> Int64? { isNull(index) ? nil : try int64(index) }
  func optionalInt(_ index: Int) throws -> Int? { isNull(index) ? nil : try int(index) }
  func optionalDouble(_ index: Int) throws -> Double? { isNull(index) ? nil : try double(index) }
  func optionalString(_ index: Int) throws -> String? { isNull(index) ? nil : try string(index) }

  /// A metric or matrix value: NULL stands for NaN.
  func metricValue(_ index: Int) throws -> Double { try optionalDouble(index) ?? .nan }
}
