import CSQLite
import CSQLiteOptions
import Foundation
import Tracking

/// One SQLite connection: opening with the store's pragmas, a prepared-statement cache,
/// transactions that retry on SQLITE_BUSY, and errors that carry code, SQL and arguments.
///
/// Not thread-safe by itself: `SQLiteStore` serialises access with its lock.
final class Database {
  let handle: OpaquePointer
  let path: String
  let readOnly: Bool
  private var cache: [String: Statement] = [:]
  private(set) var transactionDepth = 0

  /// How long one statement waits for a lock inside SQLite before returning SQLITE_BUSY.
  /// Short: a write transaction that finds the file locked is retried by `SQLiteStore.write`,
  /// which sleeps without holding the store's lock (SQLite's own wait would hold it).
  static let busyTimeoutMilliseconds: Int32 = 50
  /// How long a whole write transaction keeps retrying on SQLITE_BUSY before giving up.
  static let busyRetrySeconds: Double = 300

  /// Opens `path`; `uri` lets a read-only reader open an immutable file in a read-only folder.
  init(path: String, readOnly: Bool, create: Bool, uri: String? = nil) throws {
    var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
    if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
    flags |= SQLITE_OPEN_NOMUTEX
    if uri != nil { flags |= SQLITE_OPEN_URI }
    var connection: OpaquePointer?
    let code = sqlite3_open_v2(uri ?? path, &connection, flags, nil)
    guard code == SQLITE_OK, let connection else {
      let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(connection)
      throw TrackingError(
        code == SQLITE_CANTOPEN ? .cannotOpen : .storage,
        "Cannot open the store at \(path): \(message). Check that the folder exists and is "
          + "readable.", detail: "SQLite error \(code)")
    }
    handle = connection
    self.path = path
    self.readOnly = readOnly
    sqlite3_extended_result_codes(connection, 1)
    // Readers of the file (sqlite3, pandas) must never see "database is locked" because a
    // writer closed: the WAL is checkpointed as it grows, not on close.
    if !readOnly { _ = track_sqlite_no_checkpoint_on_close(connection) }
    sqlite3_busy_timeout(connection, Database.busyTimeoutMilliseconds)
  }

  deinit {
    cache.removeAll()
    sqlite3_close_v2(handle)
  }

  /// Builds an error from the connection's last failure.
  func error(code: Int32, sql: String?, arguments: [StoreValue]) -> TrackingError {
    let extended = sqlite3_extended_errcode(handle)
    let detail = String(cString: sqlite3_errmsg(handle))
    let primary = code & 0xff
    let kind: TrackingError.Code
    var message = "SQLite failed: \(detail)"
    switch primary {
    case SQLITE_NOTADB:
      kind = .notADatabase
      message =
        "\(path) is not an SQLite database (SQLite: \(detail)). Point --db at a track "
        + "store or at a new file name."
    case SQLITE_READONLY:
      kind = .readOnly
      message =
        "Cannot write to \(path): \(detail). Check the permissions of the file and its "
        + "folder, or open the store read-only."
    case SQLITE_BUSY, SQLITE_LOCKED:
      kind = .busy
      message = "\(path) stayed locked by another writer: \(detail)"
    case SQLITE_CANTOPEN:
      kind = .cannotOpen
    default:
      kind = .storage
    }
    return TrackingError(
      kind, message,
      detail: Database.detail(
        code: extended != 0 ? extended : code, sql: sql, arguments: arguments))
  }

  /// "SQLite error N in `SQL` with arguments [...]": the backend's account for `detail`.
  static func detail(code: Int32, sql: String?, arguments: [StoreValue]) -> String {
    var text = "SQLite error \(code)"
    if let sql { text += " in `\(sql.trimmingCharacters(in: .whitespacesAndNewlines))`" }
    if !arguments.isEmpty {
      text += " with arguments [\(arguments.map(\.description).joined(separator: ", "))]"
    }
    return text
  }

  /// A cached prepared statement for `sql`.
  func statement(_ sql: String) throws -> Statement {
    if let cached = cache[sql] { return cached }
    let statement = try Statement(database: self, sql: sql)
    cache[sql] = statement
    return statement
  }

  /// Runs SQL without results: one cached statement with arguments.
  func execute(_ sql: String, _ arguments: [StoreValue] = []) throws {
    try statement(sql).run(arguments)
  }

  /// Runs a script of several statements (migrations), without caching.
  func executeScript(_ sql: String) throws {
    var message: UnsafeMutablePointer<CChar>?
    let code = sqlite3_exec(handle, sql, nil, nil, &message)
    if code != SQLITE_OK {
      var error = self.error(code: code, sql: sql, arguments: [])
      if let message {
        error.message = "SQLite failed: \(String(cString: message))"
        sqlite3_free(message)
      }
      throw error
    }
  }

  /// First column of the first row as an integer.
  func integer(_ sql: String, _ arguments: [StoreValue] = []) throws -> Int64? {
    try statement(sql).first(arguments) { $0.optionalInt64(0) } ?? nil
  }

  /// Number of rows the last statement changed.
  var changes: Int { Int(sqlite3_changes(handle)) }

  /// True outside any transaction (SQLite's autocommit mode).
  var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

  /// The rowid of the last insert.
  var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  /// Runs `body` in one write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back when it
  /// throws. `.busy` while another process holds the write lock: `SQLiteStore.write` retries
  /// the whole transaction, outside its lock. Nested calls join the outer transaction.
  func write<T>(_ body: () throws -> T) throws -> T {
    if transactionDepth > 0 {
      transactionDepth += 1
      defer { transactionDepth -= 1 }
      return try body()
    }
    try execute("BEGIN IMMEDIATE")
    transactionDepth = 1
    do {
      let result = try body()
      try commitRetryingOnBusy(deadline: Date().addingTimeInterval(Database.busyRetrySeconds))
      transactionDepth = 0
      return result
    } catch {
      rollback()
      throw error
    }
  }

  private func commitRetryingOnBusy(deadline: Date) throws {
    var attempt = 0
    while true {
      do {
        try execute("COMMIT")
        return
      } catch let error as TrackingError where error.code == .busy && Date() < deadline {
        attempt += 1
        Database.backOff(attempt)
      }
    }
  }

  private func rollback() {
    transactionDepth = 0
    if sqlite3_get_autocommit(handle) == 0 {
      _ = try? execute("ROLLBACK")
    }
  }

  /// Sleeps a little, growing with the attempt, with jitter so writers do not march in step.
  static func backOff(_ attempt: Int) {
    let base = min(0.001 * Double(1 << min(attempt, 7)), 0.1)
    Thread.sleep(forTimeInterval: base * Double.random(in: 0.5...1.5))
  }

  /// Runs `body` retrying on SQLITE_BUSY (for statements outside transactions, e.g. pragmas).
  func retryingOnBusy<T>(_ body: () throws -> T) throws -> T {
    let deadline = Date().addingTimeInterval(Database.busyRetrySeconds)
    var attempt = 0
    while true {
      do {
        return try body()
      } catch let error as TrackingError where error.code == .busy && Date() < deadline {
        attempt += 1
        Database.backOff(attempt)
      }
    }
  }
}
