// storage-benchmark: metric logging throughput of the Tracking store against the raw SQLite C
// API inserting rows of the same shape (the practical limit). Run by Benchmarks/storage.sh in
// a release build; prints `name: value unit` lines.
// Usage: storage-benchmark [POINTS]   (default 1,000,000 per measurement)
import CSQLite
import Foundation
import Tracking
import TrackingSQLite

let points =
  CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let keys = ["loss", "accuracy", "learning_rate", "grad_norm"]
let folder = FileManager.default.temporaryDirectory
  .appendingPathComponent("track-storage-benchmark-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ name: String, _ elapsed: Double) -> Double {
  let rate = Double(points) / elapsed
  print("\(name): \(Int(rate.rounded())) points/s")
  return rate
}

/// Our logger, one `log(batch:)` call per 1,000 points.
func batched() throws -> Double {
  let store = try SQLiteStore(path: folder.appendingPathComponent("batched.db").path)
  let run = try store.startRun(name: "batched", experiment: nil, params: [:])
  let batchSize = 1_000
  return try seconds {
    var batch: [MetricPoint] = []
    batch.reserveCapacity(batchSize)
    let now = Date()
    for index in 0..<points {
      batch.append(
        MetricPoint(
          key: keys[index & 3], value: Double(index) * 0.001, step: index >> 2, epoch: index >> 12,
          wallTime: now))
      if batch.count == batchSize {
        try run.log(batch: batch)
        batch.removeAll(keepingCapacity: true)
      }
    }
    try run.log(batch: batch)
    try run.finish()
  }
}

/// Our logger, one `log(_:value:step:)` call per point.
func perCall() throws -> Double {
  let store = try SQLiteStore(path: folder.appendingPathComponent("per-call.db").path)
  let run = try store.startRun(name: "per-call", experiment: nil, params: [:])
  return try seconds {
    for index in 0..<points {
      try run.log(
        keys[index & 3], value: Double(index) * 0.001, step: index >> 2, epoch: index >> 12)
    }
    try run.finish()
  }
}

/// The raw C API, WAL, prepared insert, 4,096 rows per transaction: `compact` inserts into the
/// layout track uses since migration 9 (WITHOUT ROWID, clustered on (series, step), integer
/// milliseconds), else into the layout before migration 5 (rowid table, 8-byte time, separate
/// index).
func raw(compact: Bool) throws -> Double {
  var db: OpaquePointer?
  let path = folder.appendingPathComponent(compact ? "raw-compact.db" : "raw.db").path
  guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw CocoaError(.fileWriteUnknown) }
  defer { sqlite3_close(db) }
  func exec(_ sql: String) {
    if sqlite3_exec(db, sql, nil, nil, nil) != SQLITE_OK {
      fatalError("raw benchmark: \(String(cString: sqlite3_errmsg(db)))")
    }
  }
  exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
  exec(
    compact
      ? """
      CREATE TABLE metric_values (series_id INTEGER NOT NULL, step INTEGER NOT NULL,
        epoch INTEGER, task INTEGER, value REAL, wall_ms INTEGER NOT NULL,
        PRIMARY KEY (series_id, step)) WITHOUT ROWID;
      """
      : """
      CREATE TABLE metrics (run_id INTEGER NOT NULL, key_id INTEGER NOT NULL,
        step INTEGER NOT NULL, epoch INTEGER, task INTEGER, value REAL, wall_time REAL NOT NULL);
      CREATE INDEX metrics_run_key_step ON metrics(run_id, key_id, step);
      """)
  var statement: OpaquePointer?
  sqlite3_prepare_v2(
    db,
    compact
      ? "INSERT INTO metric_values VALUES (?, ?, ?, ?, ?, ?)"
      : "INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &statement, nil)
  defer { sqlite3_finalize(statement) }
  return seconds {
    let now = Date().timeIntervalSince1970
    exec("BEGIN")
    for index in 0..<points {
      sqlite3_reset(statement)
      var column: Int32 = 0
      func next() -> Int32 {
        column += 1
        return column
      }
      if compact {
        sqlite3_bind_int64(statement, next(), Int64(index & 3) + 1)
      } else {
        sqlite3_bind_int64(statement, next(), 1)
        sqlite3_bind_int64(statement, next(), Int64(index & 3) + 1)
      }
      sqlite3_bind_int64(statement, next(), Int64(index >> 2))
      sqlite3_bind_int64(statement, next(), Int64(index >> 12))
      sqlite3_bind_null(statement, next())
      sqlite3_bind_double(statement, next(), Double(index) * 0.001)
      if compact {
        sqlite3_bind_int64(statement, next(), Int64(index / 1000))
      } else {
        sqlite3_bind_double(statement, next(), now)
      }
      sqlite3_step(statement)
      if index % 4_096 == 4_095 { exec("COMMIT; BEGIN") }
    }
    exec("COMMIT")
  }
}

/// Bytes on disk per point of the tables and indexes that hold points (SQLite's dbstat).
func bytesPerPoint(_ file: String, _ objects: [String]) -> Double {
  var db: OpaquePointer?
  let path = folder.appendingPathComponent(file).path
  guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
    return .nan
  }
  defer { sqlite3_close(db) }
  let names = objects.map { "'\($0)'" }.joined(separator: ", ")
  var statement: OpaquePointer?
  sqlite3_prepare_v2(
    db, "SELECT sum(pgsize) FROM dbstat WHERE name IN (\(names))", -1, &statement, nil)
  defer { sqlite3_finalize(statement) }
  guard sqlite3_step(statement) == SQLITE_ROW else { return .nan }
  return Double(sqlite3_column_int64(statement, 0)) / Double(points)
}

print("points_per_measurement: \(points) points")
let rawRate = report("raw_sqlite_c_api", try raw(compact: false))
let rawCompactRate = report("raw_sqlite_c_api_compact", try raw(compact: true))
let batchedRate = report("track_batched", try batched())
let perCallRate = report("track_per_call", try perCall())
print(
  "raw_sqlite_bytes_per_point: "
    + String(format: "%.1f", bytesPerPoint("raw.db", ["metrics", "metrics_run_key_step"]))
    + " B (rowid table + index, the layout before migration 5)")
print(
  "track_bytes_per_point: "
    + String(format: "%.1f", bytesPerPoint("batched.db", SQLiteStore.pointObjects)) + " B")
print("track_batched_vs_raw: \(String(format: "%.2f", batchedRate / rawRate)) x")
print(
  "track_batched_vs_raw_compact: \(String(format: "%.2f", batchedRate / rawCompactRate)) x")
print("track_per_call_vs_batched: \(String(format: "%.2f", perCallRate / batchedRate)) x")
