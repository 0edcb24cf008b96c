import CSQLite
import Foundation
import Tracking

/// `SQLITE_TRANSIENT`: tells SQLite to copy bound text and blobs before the call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement: typed bindings, stepping, typed column reads.
final class Statement {
  let handle: OpaquePointer
  let sql: String
  unowned let database: Database
  private var boundArguments: [StoreValue] = []

  init(database: Database, sql: String) throws {
    self.database = database
    self.sql = sql
    var statement: OpaquePointer?
    // The tail points into the C string, so read it while the C string is alive.
    let (code, rest) = sql.withCString { text -> (Int32, String) in
      var tail: UnsafePointer<CChar>?
      let code = sqlite3_prepare_v3(
        database.handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
      return (code, tail.map { String(cString: $0) } ?? "")
    }
    guard code == SQLITE_OK else { throw database.error(code: code, sql: sql, arguments: []) }
    guard let statement else {
      throw TrackingError(
        .invalidValue, "The SQL is empty (only blanks or comments).",
        detail: Database.detail(code: SQLITE_OK, sql: sql, arguments: []))
    }
    if try !Statement.isEmpty(rest, in: database) {
      // Finalize here: deinit does not run for an initializer that throws before `handle` is set.
      sqlite3_finalize(statement)
      throw TrackingError(
        .writeInQuery, "Only one SQL statement is allowed at a time; found more after the first.",
        detail: Database.detail(code: SQLITE_OK, sql: sql, arguments: []))
    }
    handle = statement
  }

  deinit { sqlite3_finalize(handle) }

  /// True when the statement cannot change the database (`sqlite3_stmt_readonly`).
  var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

  /// Whether `sql` holds no statement: only blanks, semicolons and comments (SQLite's own
  /// tokenizer decides, so `-- note` and `/* … */` after the statement are fine).
  static func isEmpty(_ sql: String, in database: Database) throws -> Bool {
    var rest = sql
    while !rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) {
      var statement: OpaquePointer?
      let (code, tail) = rest.withCString { text -> (Int32, String) in
        var tail: UnsafePointer<CChar>?
        let code = sqlite3_prepare_v2(database.handle, text, -1, &statement, &tail)
        return (code, tail.map { String(cString: $0) } ?? "")
      }
      sqlite3_finalize(statement)
      // A second statement that does not even prepare is still a second statement.
      if code != SQLITE_OK || statement != nil { return false }
      if tail == rest { return true }
      rest = tail
    }
    return true
  }

  /// Resets the statement and binds `arguments` to ?1, ?2, ...; the count must match the
  /// statement's parameters (a missing argument is an error, never a silent NULL).
  func bind(_ arguments: [StoreValue]) throws {
    let expected = Int(sqlite3_bind_parameter_count(handle))
    guard arguments.count == expected else {
      throw TrackingError(
        .invalidValue,
        "The statement takes \(expected) argument(s) but was given \(arguments.count).",
        detail: Database.detail(code: SQLITE_RANGE, sql: sql, arguments: arguments))
    }
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
    boundArguments = arguments
    for (offset, value) in arguments.enumerated() {
      try bind(value, at: Int32(offset + 1))
    }
  }

  /// Binds one value at a 1-based position.
  func bind(_ value: StoreValue, at index: Int32) throws {
    let code: Int32
    switch value {
    case .null: code = sqlite3_bind_null(handle, index)
    case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
    case .real(let number):
      code =
        number.isNaN ? sqlite3_bind_null(handle, index) : sqlite3_bind_double(handle, index, number)
    case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, sqliteTransient)
    case .blob(let data):
      code = data.withUnsafeBytes { buffer in
        sqlite3_bind_blob64(
          handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
          sqlite3_uint64(buffer.count), sqliteTransient)
      }
    }
    guard code == SQLITE_OK else { throw failure(code) }
  }

  /// Resets for the hot path, which binds with `bindFast` (errors then show no arguments).
  func reset() {
    sqlite3_reset(handle)
    boundArguments = []
  }

  /// Binds a double or NULL without going through `StoreValue` (the hot logging path).
  @inline(__always)
  func bindFast(_ value: Double?, at index: Int32) {
    if let value, !value.isNaN {
      sqlite3_bind_double(handle, index, value)
    } else {
      sqlite3_bind_null(handle, index)
    }
  }

  /// Binds an integer or NULL without going through `StoreValue` (the hot logging path).
  @inline(__always)
  func bindFast(_ value: Int64?, at index: Int32) {
    if let value {
      sqlite3_bind_int64(handle, index, value)
    } else {
      sqlite3_bind_null(handle, index)
    }
  }

  /// Advances; returns true when a row is available.
  @discardableResult
  func step() throws -> Bool {
    let code = sqlite3_step(handle)
    switch code {
    case SQLITE_ROW: return true
    case SQLITE_DONE:
      return false
    default:
      let error = failure(code)
      sqlite3_reset(handle)
      throw error
    }
  }

  /// Steps through to the end, for statements that return no rows.
  func run(_ arguments: [StoreValue] = []) throws {
    try bind(arguments)
    while try step() {}
    sqlite3_reset(handle)
  }

  /// Binds, steps through all rows, calling `row` for each.
  func forEach(_ arguments: [StoreValue] = [], _ row: (Statement) throws -> Void) throws {
    try bind(arguments)
    defer { sqlite3_reset(handle) }
    while try step() { try row(self) }
  }

  /// Collects every row mapped by `transform`.
  func map<T>(_ arguments: [StoreValue] = [], _ transform: (Statement) throws -> T) throws -> [T] {
    var result: [T] = []
    try forEach(arguments) { result.append(try transform($0)) }
    return result
  }

  /// The first row mapped by `transform`, or nil.
  func first<T>(_ arguments: [StoreValue] = [], _ transform: (Statement) throws -> T) throws -> T? {
    try bind(arguments)
    defer { sqlite3_reset(handle) }
    return try step() ? transform(self) : nil
  }

  var columnCount: Int { Int(sqlite3_column_count(handle)) }
  func columnName(_ index: Int) -> String {
    String(cString: sqlite3_column_name(handle, Int32(index)))
  }
  func isNull(_ index: Int) -> Bool { sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL }
  func int64(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }
  func int(_ index: Int) -> Int { Int(sqlite3_column_int64(handle, Int32(index))) }
  func double(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }
  func optionalInt(_ index: Int) -> Int? { isNull(index) ? nil : int(index) }
  func optionalInt64(_ index: Int) -> Int64? { isNull(index) ? nil : int64(index) }
  func optionalDouble(_ index: Int) -> Double? { isNull(index) ? nil : double(index) }
  /// A REAL column where NULL stands for NaN (SQLite stores NaN as NULL).
  func metricValue(_ index: Int) -> Double { isNull(index) ? .nan : double(index) }

  func string(_ index: Int) -> String {
    guard let text = sqlite3_column_text(handle, Int32(index)) else { return "" }
    return String(cString: text)
  }

  func optionalString(_ index: Int) -> String? { isNull(index) ? nil : string(index) }

  func data(_ index: Int) -> Data {
    let count = Int(sqlite3_column_bytes(handle, Int32(index)))
    guard count > 0, let bytes = sqlite3_column_blob(handle, Int32(index)) else { return Data() }
    return Data(bytes: bytes, count: count)
  }

  /// The column as a dynamically typed value.
  func value(_ index: Int) -> StoreValue {
    switch sqlite3_column_type(handle, Int32(index)) {
    case SQLITE_INTEGER: return .integer(int64(index))
    case SQLITE_FLOAT: return .real(double(index))
    case SQLITE_TEXT: return .text(string(index))
    case SQLITE_BLOB: return .blob(data(index))
    default: return .null
    }
  }

  private func failure(_ code: Int32) -> TrackingError {
    database.error(code: code, sql: sql, arguments: boundArguments)
  }
}
