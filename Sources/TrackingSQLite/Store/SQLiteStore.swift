import CSQLite
import Foundation
import Tracking

/// The SQLite backend of a track store: one file holding every run, opened (created and
/// migrated when needed). The one place that keeps `metric_latest`, `matrix_summaries` and
/// the metric-key cache consistent with the rows they summarise.
///
/// ```swift
/// let store = try SQLiteStore(path: "track.db")
/// let run = try store.startRun(name: "baseline", experiment: "mnist",
///                              params: ["optimizer.lr": .number(0.01)])
/// try run.log("loss", value: 0.3, step: 1)
/// try run.finish()
/// ```
///
/// Thread-safe: every call holds the store's lock. Several processes may write one file.
// @unchecked: the connections and the metric-key cache are only touched under `lock`.
public final class SQLiteStore: TrackStore, @unchecked Sendable {
  /// The file's path as given.
  public let path: String
  /// True when opened read-only: every write throws `.readOnly`.
  public let isReadOnly: Bool
  /// Schema version of the file (after any upgrade on open).
  public private(set) var schemaVersion: Int
  /// The file's path, as given.
  public var location: String { path }

  let database: Database
  private var reader: Database?
  let lock = NSRecursiveLock()
  var metricKeyIDs: [String: Int64] = [:]
  /// The `metric_series` id of each series written through this connection (emptied when it
  /// reaches `seriesCacheLimit`, so a long-lived server's cache stays bounded).
  var seriesIDs: [SeriesKey: Int64] = [:]
  static let seriesCacheLimit = 4096
  /// The tables and index that hold metric points (their size is the store's size per point,
  /// by SQLite's dbstat).
  public static let pointObjects = [
    "metric_values", "metric_repeats", "metric_series", "sqlite_autoindex_metric_series_1",
  ]
  /// Each run's `created_at`, the origin of its points' `wall_ms`.
  var runOrigins: [RunID: Double] = [:]

  /// One metric of one run.
  struct SeriesKey: Hashable {
    var run: RunID
    var key: Int64
  }

  /// Opens (creating and migrating when needed) the store at `path`.
  ///
  /// Throws `.notADatabase`, `.notATrackStore`, `.newerSchema` without writing anything, and
  /// `.readOnly` when the file or folder cannot be written (unless `readOnly` is true).
  /// `onUpgrade` hears (version, latest version) before an older file is upgraded, which
  /// can take a while (migration 9 rewrites every point: 51 s for 10 M points).
  public init(
    path: String, readOnly: Bool = false, onUpgrade: ((_ from: Int, _ to: Int) -> Void)? = nil
  ) throws {
    self.path = path
    self.isReadOnly = readOnly
    let migrator = Migrator()
    let exists = FileManager.default.fileExists(atPath: path)
    if readOnly {
      guard exists else {
        throw TrackingError(
          .cannotOpen, "There is no store at \(path). Check the path (or --db / TRACK_DB).")
      }
      let reader = try SQLiteStore.openReader(path: path)
      database = reader
      // Another process may be creating the file right now: wait for its lock.
      let state = try reader.retryingOnBusy { try migrator.state(of: reader) }
      let version = try migrator.validate(state, path: path)
      guard version > 0 else {
        throw TrackingError(
          .notATrackStore, "\(path) is an empty SQLite file, not a track store.")
      }
      guard version == migrator.latestVersion else {
        throw TrackingError(
          .readOnly,
          "\(path) has schema version \(version) and needs an upgrade to "
            + "\(migrator.latestVersion), which a read-only open cannot do. Open it once "
            + "with write access (any track command that writes) to upgrade it.")
      }
      schemaVersion = version
      return
    }
    try SQLiteStore.checkWritable(path: path, exists: exists)
    let database = try Database(path: path, readOnly: false, create: true)
    self.database = database
    // Another process may be creating the file right now: wait for its lock.
    let state = try database.retryingOnBusy { try migrator.state(of: database) }
    _ = try migrator.validate(state, path: path)
    try database.retryingOnBusy {
      try database.executeScript("PRAGMA journal_mode = WAL")
    }
    // NORMAL is durable against crashes of the process in WAL mode (only a power loss can
    // drop the last commits); a bigger page cache keeps the metrics index in memory.
    try database.executeScript(
      "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768")
    try migrator.migrate(database, onUpgrade: onUpgrade)
    schemaVersion = migrator.latestVersion
  }

  /// Copies the WAL into the file without taking its exclusive lock (PASSIVE), so readers
  /// that cannot use the WAL (an immutable open in a read-only folder) see every commit. The
  /// WAL file itself stays: deleting it on close locked readers out (NO_CKPT_ON_CLOSE).
  deinit {
    if !isReadOnly { try? database.executeScript("PRAGMA wal_checkpoint(PASSIVE)") }
  }

  /// Runs `body` with the connection under the store's lock.
  ///
  /// Outside a write transaction, `body` reads one snapshot: a read transaction, so several
  /// statements see the same file and take its lock once (a `check` of 10,000 matrices took
  /// 13.7 s in 250,000 reads of pages the cache had dropped between statements).
  func withDatabase<T>(_ body: (Database) throws -> T) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    guard database.transactionDepth == 0, database.isAutocommit else { return try body(database) }
    try database.retryingOnBusy { try database.execute("BEGIN") }
    do {
      let result = try body(database)
      try database.execute("COMMIT")
      return result
    } catch {
      if !database.isAutocommit { try? database.execute("ROLLBACK") }
      throw error
    }
  }

  /// Runs `body` with the connection under the store's lock, outside any transaction (for
  /// VACUUM and checkpoints, which cannot run inside one).
  func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(database)
  }

  /// Runs `body` in a write transaction under the store's lock.
  ///
  /// While another process holds the file's write lock the whole transaction is retried with
  /// back-off, for up to `Database.busyRetrySeconds`; the store's lock is released while it
  /// waits, so other threads of this process keep reading. A transaction that fails leaves
  /// the metric-key and series caches as they were before it (ids numbered inside it were
  /// rolled back).
  func write<T>(_ body: (Database) throws -> T) throws -> T {
    guard !isReadOnly else {
      throw TrackingError(
        .readOnly, "The store \(path) was opened read-only; open it without readOnly to write.")
    }
    let deadline = Date().addingTimeInterval(Database.busyRetrySeconds)
    var attempt = 0
    while true {
      lock.lock()
      let nested = database.transactionDepth > 0
      let keys = metricKeyIDs
      let series = seriesIDs
      do {
        let result = try database.write { try body(database) }
        lock.unlock()
        return result
      } catch let error as TrackingError
        where error.code == .busy && !nested && Date() < deadline
      {
        metricKeyIDs = keys
        seriesIDs = series
        lock.unlock()
        attempt += 1
        Database.backOff(attempt)
      } catch {
        if !nested { (metricKeyIDs, seriesIDs) = (keys, series) }
        lock.unlock()
        throw error
      }
    }
  }

  public func transaction<T>(_ body: () throws -> T) throws -> T {
    // `write` retries a transaction whose BEGIN found the file locked, before `body` ran;
    // once `body` has run it must not run again (the caller's state moved on).
    var ran = false
    return try write { _ in
      guard !ran else {
        throw TrackingError(.busy, "The store \(path) stayed locked mid-transaction.")
      }
      ran = true
      return try body()
    }
  }

  /// A read-only connection for `query`, so that user SQL can never write.
  func readerDatabase() throws -> Database {
    if isReadOnly { return database }
    if let reader { return reader }
    let opened = try SQLiteStore.openReader(path: path)
    reader = opened
    return opened
  }

  /// Opens read-only; in a folder where SQLite cannot create the WAL index, falls back to an
  /// immutable open (nobody can write there anyway).
  static func openReader(path: String) throws -> Database {
    do {
      let database = try Database(path: path, readOnly: true, create: false)
      _ = try database.integer("SELECT count(*) FROM sqlite_schema")
      try database.executeScript("PRAGMA cache_size = -32768")
      return database
    } catch let error as TrackingError where error.code == .cannotOpen || error.code == .readOnly {
      let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
      let escaped =
        absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)
        ?? absolute
      let database = try Database(
        path: path, readOnly: true, create: false, uri: "file:\(escaped)?immutable=1")
      _ = try database.integer("SELECT count(*) FROM sqlite_schema")
      return database
    }
  }

  /// Refuses a file or folder without write permission before SQLite silently opens it
  /// read-only. Mode bits count even for root, so a file marked read-only stays untouched.
  static func checkWritable(path: String, exists: Bool) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw TrackingError(
        .cannotOpen, "The folder \(folder) for the store \(path) does not exist; create it first.")
    }
    if exists {
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
        isDirectory.boolValue
      {
        throw TrackingError(.cannotOpen, "\(path) is a folder, not a store file.")
      }
      guard isWritable(path) else {
        throw TrackingError(
          .readOnly,
          "The store \(path) is read-only. Nothing was written. Make it writable (chmod u+w) "
            + "or open it read-only (e.g. `track query`).")
      }
    }
    guard isWritable(folder) else {
      throw TrackingError(
        .readOnly,
        "The folder \(folder) is read-only, so the store \(path) cannot be "
          + (exists ? "written (SQLite needs its -wal and -shm files there)" : "created")
          + ". Nothing was written. Use a writable folder or open the store read-only.")
    }
  }

  private static func isWritable(_ path: String) -> Bool {
    guard access(path, W_OK) == 0 else { return false }
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    return info.st_mode & 0o222 != 0
  }
}
