import Foundation
import Tracking

extension SQLiteStore {
  /// Removes blobs no checkpoint, knowledge entry or artifact references, then compacts the file.
  public func collectGarbage() throws -> GarbageReport {
    let before = fileSize()
    let (count, bytes) = try write { database -> (Int, Int) in
      let orphan = """
        FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM checkpoints)
          AND sha256 NOT IN (SELECT features_sha256 FROM knowledge)
          AND sha256 NOT IN (SELECT sha256 FROM artifacts)
        """
      let totals =
        try database.statement("SELECT count(*), COALESCE(sum(size), 0) \(orphan)")
        .first { (Int($0.int64(0)), Int($0.int64(1))) } ?? (0, 0)
      try database.execute("DELETE \(orphan)")
      // Metric names no series uses any more (their runs were removed).
      try database.execute(
        """
        DELETE FROM metric_keys
        WHERE NOT EXISTS (SELECT 1 FROM metric_latest l WHERE l.key_id = metric_keys.id)
          AND NOT EXISTS (SELECT 1 FROM metric_series s WHERE s.key_id = metric_keys.id)
        """)
      metricKeyIDs.removeAll()
      seriesIDs.removeAll()
      return totals
    }
    try withConnection { database in
      try database.retryingOnBusy { try database.executeScript("VACUUM") }
      try database.retryingOnBusy {
        try database.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
      }
    }
    return GarbageReport(
      blobsRemoved: count, bytesRemoved: bytes, fileSizeBefore: before, fileSizeAfter: fileSize())
  }

  /// Checks the file: SQLite's integrity check, foreign keys, every blob's SHA-256, and that
  /// stored matrix summaries match a recomputation.
  public func check(full: Bool) throws -> IntegrityReport {
    // The check reads every page once: mapped, SQLite reads them without copying each into
    // its cache (quick_check of 295 MB: 1.5 s instead of 2.1, median of 5).
    try withConnection { try $0.executeScript("PRAGMA mmap_size = 1073741824") }
    defer { _ = try? withConnection { try $0.executeScript("PRAGMA mmap_size = 0") } }
    return try withDatabase { database in
      var problems: [String] = []
      // quick_check skips what only integrity_check finds (index entries that disagree with
      // their table, UNIQUE violations): seconds instead of minutes on a large file.
      try database.statement(full ? "PRAGMA integrity_check" : "PRAGMA quick_check").forEach { row in
        let line = row.string(0)
        if line != "ok" { problems.append("integrity: \(line)") }
      }
      try database.statement("PRAGMA foreign_key_check").forEach { row in
        problems.append(
          "foreign key: row \(row.optionalInt64(1).map(String.init) ?? "?") of table "
            + "\(row.string(0)) points to a missing row of \(row.string(2))")
      }
      let orphans = try orphanPoints(in: database)
      if orphans > 0 {
        problems.append("metrics: \(orphans) point(s) belong to no run or no metric name")
      }
      var blobs = 0
      try database.statement("SELECT sha256, size, data FROM blobs").forEach { row in
        blobs += 1
        let sha = row.string(0)
        let data = row.data(2)
        let actual = SQLiteStore.sha256(data)
        if actual != sha {
          problems.append("blob \(sha): content hashes to \(actual) (damaged)")
        } else if data.count != row.int(1) {
          problems.append("blob \(sha): size column says \(row.int(1)), data has \(data.count)")
        }
      }
      for (run, metric, state) in try summaryStates(in: database) {
        switch state {
        case .missing:
          problems.append(
            "run \(run): matrix '\(metric)' has no summaries (written by another client?); "
              + "`track check --repair` computes them")
        case .stale:
          problems.append(
            "run \(run): stored summaries of '\(metric)' are out of date; "
              + "`track check --repair` recomputes them")
        case .current: break
        }
      }
      let runs = Int(try database.integer("SELECT count(*) FROM runs") ?? 0)
      return IntegrityReport(
        problems: problems, blobsChecked: blobs, runCount: runs, schemaVersion: schemaVersion)
    }
  }

  /// How many points belong to a series whose run or metric name does not exist, or to no
  /// series at all. The second kind can only sit between the ids `metric_series` holds, so
  /// only those gaps are sought (one seek each; none between consecutive ids): walking every
  /// series of 10 M points took 0.5 s, scanning the points 0.65 s.
  private func orphanPoints(in database: Database) throws -> Int {
    let runs = Set(try database.statement("SELECT id FROM runs").map { $0.int64(0) })
    let keys = Set(try database.statement("SELECT id FROM metric_keys").map { $0.int64(0) })
    var known: [Int64] = []
    var unsound: [Int64] = []
    try database.statement("SELECT id, run_id, key_id FROM metric_series ORDER BY id").forEach {
      known.append($0.int64(0))
      if !runs.contains($0.int64(1)) || !keys.contains($0.int64(2)) { unsound.append($0.int64(0)) }
    }
    var gaps: [(after: Int64, before: Int64)] = []
    var previous = Int64.min
    for id in known {
      if id > previous &+ 1 { gaps.append((previous, id)) }
      previous = id
    }
    gaps.append((previous, Int64.max))
    var points = 0
    for table in ["metric_values", "metric_repeats"] {
      let count = try database.statement("SELECT count(*) FROM \(table) WHERE series_id = ?")
      let next = try database.statement(
        """
        SELECT series_id FROM \(table) WHERE series_id > ? AND series_id < ?
        ORDER BY series_id LIMIT 1
        """)
      var orphans = unsound
      for gap in gaps {
        var after = gap.after
        while let found = try next.first([.integer(after), .integer(gap.before)], { $0.int64(0) }) {
          orphans.append(found)
          after = found
        }
      }
      for series in orphans { points += try count.first([.integer(series)]) { $0.int(0) } ?? 0 }
    }
    return points
  }

  public func repairSummaries() throws -> Int {
    try write { database in
      var repaired = 0
      for (run, metric, state) in try summaryStates(in: database) where state != .current {
        try updateMatrixSummary(run: run, metric: metric, in: database)
        repaired += 1
      }
      return repaired
    }
  }

  /// Whether a matrix's stored summaries match its cells.
  enum SummaryState { case current, stale, missing }

  /// Every matrix (run, metric) with the state of its summaries, by run then first cell.
  private func summaryStates(in database: Database) throws -> [(RunID, String, SummaryState)] {
    let matrices = try database.statement(
      """
      SELECT m.run_id, m.metric, s.acc, s.bwt, s.fwt, s.forgetting, s.run_id IS NULL
      FROM (SELECT DISTINCT run_id, metric FROM matrix) m
      LEFT JOIN matrix_summaries s ON s.run_id = m.run_id AND s.metric = m.metric
      ORDER BY m.run_id, s.rowid IS NULL, s.rowid, m.metric
      """
    ).map { row in
      (row.int64(0), row.string(1), [2, 3, 4, 5].map { row.optionalDouble($0) }, row.int(6) == 1)
    }
    // Every cell in one pass (one statement per matrix was 10,000 statements at scale).
    struct Matrix: Hashable { var run: RunID, metric: String }
    var cells: [Matrix: [Int: [Double]]] = [:]
    try database.statement(
      "SELECT run_id, metric, trained_through, task, value FROM matrix"
    ).forEach { row in
      SQLiteStore.place(
        row.metricValue(4), trainedThrough: row.int(2), task: row.int(3),
        in: &cells[Matrix(run: row.int64(0), metric: row.string(1)), default: [:]])
    }
    return matrices.map { run, metric, stored, missing in
      if missing { return (run, metric, .missing) }
      let matrix = AccuracyMatrix(
        metric: metric, rows: cells[Matrix(run: run, metric: metric)] ?? [:])
      let fresh = [
        matrix.accuracy, matrix.backwardTransfer, matrix.forwardTransfer, matrix.forgetting,
      ]
      let same = zip(stored, fresh).allSatisfy { a, b in
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return abs(x - y) <= 1e-12 * max(1, abs(x))
        default: return false
        }
      }
      return (run, metric, same ? .current : .stale)
    }
  }

  public func staleHeartbeat() throws -> TimeInterval {
    try withDatabase { database in
      try database.statement(
        "SELECT CAST(value AS REAL) FROM settings WHERE key = 'stale_heartbeat_seconds'"
      ).first { $0.optionalDouble(0) } ?? nil
    } ?? RunLogger.staleHeartbeat
  }

  public func setStaleHeartbeat(_ seconds: TimeInterval) throws {
    let shortest = 2 * RunLogger.heartbeatInterval
    guard seconds.isFinite, seconds >= shortest else {
      throw TrackingError(
        .invalidValue,
        "A heartbeat can be stale after \(StoreValue.format(shortest)) seconds at the least "
          + "(a live run beats every \(StoreValue.format(RunLogger.heartbeatInterval))), not "
          + "\(StoreValue.format(seconds)).")
    }
    try write { database in
      try database.execute(
        """
        INSERT INTO settings (key, value) VALUES ('stale_heartbeat_seconds', ?)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value
        """, [.text(StoreValue.format(seconds))])
    }
  }

  /// Size of the file plus its WAL, in bytes.
  func fileSize() -> Int {
    [path, path + "-wal"].reduce(0) { total, file in
      let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
      return total + size
    }
  }
}
