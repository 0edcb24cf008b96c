import Foundation
import PostgresNIO
import Tracking

/// The PostgreSQL backend of a track store: one database on a team server holding every run,
/// with the same tables, views and migration numbers as the SQLite file (in PostgreSQL's
/// dialect, Migrations/postgres/). Several machines may write it at once.
///
/// ```swift
/// let store = try PostgresStore(url: "postgres://track:secret@db.lab/track")
/// let run = try store.startRun(name: "baseline", experiment: "mnist",
///                              params: ["optimizer.lr": .number(0.01)])
/// try run.log("loss", value: 0.3, step: 1)
/// try run.finish()
/// ```
///
/// Thread-safe: every call holds the store's lock and uses its one connection; calls are
/// synchronous (they wait for the server on the caller's thread, which must not be an
/// event-loop thread). A connection the server dropped is opened again before the next call.
// @unchecked: the session, the caches and the transaction depth are only touched under `lock`.
public final class PostgresStore: TrackStore, @unchecked Sendable {
  /// The server and database (its URL without the password).
  public let url: PostgresURL
  /// True when opened read-only: every write throws `.readOnly`.
  public let isReadOnly: Bool
  /// Schema version of the database (after any upgrade on open).
  public private(set) var schemaVersion: Int
  /// The URL without its password.
  public var location: String { url.redacted }

  /// How long `track query` may run before the server cancels it.
  public static let queryTimeout: TimeInterval = 30
  /// How long a lost connection is retried (with back-off) before a call fails.
  static let reconnectSeconds: TimeInterval = 30

  let session: PostgresSession
  let lock = NSRecursiveLock()
  /// Open transactions and savepoints on the connection (0: none).
  var depth = 0
  var metricKeyIDs: [String: Int64] = [:]
  /// The highest step stored per series, so the usual point (a new step) needs no lookup.
  /// A stale entry only costs a retry: a step it wrongly calls new conflicts and the batch
  /// is inserted again with sequence numbers read from the table.
  var seriesEnds: [SeriesKey: Int] = [:]
  /// Each run's `created_at`, the origin of its points' `wall_ms`.
  var runOrigins: [RunID: Double] = [:]

  /// One metric of one run.
  struct SeriesKey: Hashable {
    var run: RunID
    var key: Int64
  }

  /// Opens (migrating when needed) the store at `url`, e.g.
  /// `postgres://user:password@host:5432/track?sslmode=require`.
  ///
  /// Throws `.cannotOpen` for a bad URL or a server that cannot be reached or refuses the
  /// login, `.notATrackStore` for a database holding other tables, `.newerSchema` without
  /// writing anything, and `.readOnly` for a read-only open of a database that needs an
  /// upgrade.
  public convenience init(url text: String, readOnly: Bool = false) throws {
    try self.init(url: try PostgresURL(parsing: text), readOnly: readOnly)
  }

  /// Opens (migrating when needed) the store at `url`.
  public init(url: PostgresURL, readOnly: Bool = false) throws {
    self.url = url
    self.isReadOnly = readOnly
    let session = try PostgresSession(url: url, readOnly: readOnly)
    self.session = session
    let migrator = Migrator()
    if readOnly {
      let version = try migrator.version(in: session)
      guard version > 0 else {
        throw TrackingError(
          .notATrackStore,
          "The database \(url.redacted) is empty, not a track store yet. Open it once for "
            + "writing (e.g. `track init --db URL`) to create the tables.")
      }
      guard version == migrator.latestVersion else {
        throw TrackingError(
          .readOnly,
          "The database \(url.redacted) has schema version \(version) and needs an upgrade to "
            + "\(migrator.latestVersion), which a read-only open cannot do. Open it once "
            + "with write access (any track command that writes) to upgrade it.")
      }
      schemaVersion = version
      return
    }
    try migrator.migrate(session)
    schemaVersion = migrator.latestVersion
  }

  /// Runs `body` under the store's lock, with a live connection: outside a transaction, a
  /// connection the server dropped is opened again first (retried with back-off), and a read
  /// that lost it midway is run once more.
  func read<T>(_ body: () throws -> T) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    guard depth == 0 else { return try body() }
    try ensureConnected()
    do {
      return try body()
    } catch where session.isClosed {
      try ensureConnected()
      return try body()
    }
  }

  /// Opens the connection again when the server dropped it, retrying with back-off for
  /// `reconnectSeconds`; then fails with the connection error.
  private func ensureConnected() throws {
    guard session.isClosed else { return }
    let deadline = Date().addingTimeInterval(PostgresStore.reconnectSeconds)
    var attempt = 0
    while true {
      do {
        try session.reconnect(readOnly: isReadOnly)
        metricKeyIDs.removeAll()
        seriesEnds.removeAll()
        return
      } catch let error as TrackingError where error.code == .cannotOpen && Date() < deadline {
        attempt += 1
        Thread.sleep(forTimeInterval: min(0.1 * Double(1 << min(attempt, 5)), 2))
      }
    }
  }

  /// Runs `body` in a write transaction under the store's lock; inside another write (a
  /// `transaction {}`), in a savepoint, so a failed write leaves the rest of the transaction
  /// usable.
  ///
  /// A top-level write that hits a deadlock or a serialization failure, or whose connection
  /// was lost before its COMMIT left this process (so the server rolled it back), runs again
  /// with back-off when `retrying` (its body may then run more than once). A COMMIT that was
  /// sent and got no answer is looked up on a new connection (`txid_status`): committed, the
  /// write succeeded; aborted, it runs again; unknown, it fails saying so (never replayed
  /// blind, which could store points twice). The caches are put back as they
  /// were when a transaction or savepoint fails.
  @discardableResult
  func write<T>(retrying: Bool = true, _ body: () throws -> T) throws -> T {
    guard !isReadOnly else {
      throw TrackingError(
        .readOnly,
        "The store \(url.redacted) was opened read-only; open it without readOnly to write.")
    }
    lock.lock()
    defer { lock.unlock() }
    let caches = (metricKeyIDs, seriesEnds, runOrigins)
    if depth > 0 {
      let savepoint = "track_\(depth)"
      try session.execute("SAVEPOINT \(savepoint)")
      depth += 1
      do {
        let result = try body()
        depth -= 1
        try session.execute("RELEASE SAVEPOINT \(savepoint)")
        return result
      } catch {
        depth -= 1
        (metricKeyIDs, seriesEnds, runOrigins) = caches
        _ = try? session.execute("ROLLBACK TO SAVEPOINT \(savepoint)")
        throw error
      }
    }
    let deadline = Date().addingTimeInterval(PostgresStore.reconnectSeconds)
    var attempt = 0
    while true {
      try ensureConnected()
      var committing = false
      var transactionID: Int64?
      var value: T?
      do {
        try session.execute("BEGIN")
        depth = 1
        // Asked for now, so that a COMMIT whose answer is lost can be looked up afterwards.
        transactionID = try session.integer("SELECT txid_current()")
        value = try body()
        depth = 0
        committing = true
        try session.execute("COMMIT")
        return value!
      } catch let error as TrackingError {
        depth = 0
        (metricKeyIDs, seriesEnds, runOrigins) = caches
        let lost = session.isClosed
        if !lost { _ = try? session.execute("ROLLBACK") }
        if lost && committing && !session.lastStatementUnsent {
          // The COMMIT was sent and its answer lost: ask the server what became of it.
          switch try? commitOutcome(of: transactionID) {
          case "committed"?:
            if let value { return value }
          case "aborted"?:
            break  // rolled back: as if the connection had gone before COMMIT
          default:
            throw TrackingError(
              .storage,
              "The connection to PostgreSQL at \(url.redacted) was lost while a write was "
                + "being committed, and the server could not say whether it was stored. "
                + "Check the run (track show) once the server is back.", detail: error.detail)
          }
        }
        let retryable = error.code == .busy || lost
        guard retrying, retryable, Date() < deadline else { throw error }
        attempt += 1
        Thread.sleep(forTimeInterval: min(0.05 * Double(1 << min(attempt, 6)), 2))
      } catch {
        depth = 0
        (metricKeyIDs, seriesEnds, runOrigins) = caches
        if !session.isClosed { _ = try? session.execute("ROLLBACK") }
        throw error
      }
    }
  }

  /// What became of a transaction whose COMMIT got no answer (`committed`, `aborted`, or
  /// `in progress`), asked on a new connection (PostgreSQL's `txid_status`).
  private func commitOutcome(of transactionID: Int64?) throws -> String? {
    guard let transactionID else { return nil }
    try ensureConnected()
    return try session.first(
      "SELECT txid_status($1)", arguments(.integer(transactionID))
    ) { try $0.optionalString(0) } ?? nil
  }

  public func transaction<T>(_ body: () throws -> T) throws -> T {
    // `body` runs once: the caller's state moves on with it, so it is never retried.
    try write(retrying: false) { try body() }
  }
}
