import Foundation
import PostgresNIO
import Tracking

extension PostgresStore {
  /// Removes blobs no checkpoint, knowledge entry or artifact references and metric names no
  /// point
  /// uses, then VACUUMs those tables (the server reuses their space; it does not shrink the
  /// database's files as SQLite's VACUUM does).
  public func collectGarbage() throws -> GarbageReport {
    let before = try databaseSize()
    let (count, bytes) = try write { () -> (Int, Int) in
      let orphan = """
        FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.sha256 = b.sha256)
          AND NOT EXISTS (SELECT 1 FROM knowledge k WHERE k.features_sha256 = b.sha256)
          AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = b.sha256)
        """
      let totals =
        try session.first("SELECT count(*), COALESCE(sum(size), 0)::bigint \(orphan)") {
          (try $0.int(0), try $0.int(1))
        } ?? (0, 0)
      try session.execute("DELETE \(orphan)")
      try session.execute(
        """
        DELETE FROM metric_keys
        WHERE NOT EXISTS (SELECT 1 FROM metric_latest l WHERE l.key_id = metric_keys.id)
          AND NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.key_id = metric_keys.id)
        """)
      metricKeyIDs.removeAll()
      seriesEnds.removeAll()
      return totals
    }
    // VACUUM cannot run inside a transaction.
    try read {
      try session.execute("VACUUM blobs")
      try session.execute("VACUUM metric_keys")
    }
    return GarbageReport(
      blobsRemoved: count, bytesRemoved: bytes, fileSizeBefore: before,
      fileSizeAfter: try databaseSize())
  }

  /// The size of the database on the server, in bytes.
  private func databaseSize() throws -> Int {
    try read { Int(try session.integer("SELECT pg_database_size(current_database())") ?? 0) }
  }

  /// Checks the store: points that belong to no run or metric name (their table has no
  /// declared foreign keys), every blob's SHA-256 and size, and that stored matrix summaries
  /// match a recomputation. The server itself keeps its tables, indexes and declared foreign
  /// keys consistent; `full` adds nothing here (PostgreSQL's amcheck checks its indexes).
  public func check(full: Bool) throws -> IntegrityReport {
    try read {
      var problems: [String] = []
      let orphans =
        try session.integer(
          """
          SELECT count(*) FROM metric_points p
          WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = p.run_id)
             OR NOT EXISTS (SELECT 1 FROM metric_keys k WHERE k.id = p.key_id)
          """) ?? 0
      if orphans > 0 {
        problems.append("metrics: \(orphans) point(s) belong to no run or no metric name")
      }
      var blobs = 0
      var after = ""
      // A page of blobs at a time: checkpoints can be large.
      while true {
        let page = try session.rows(
          "SELECT sha256, size, data FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT 64",
          arguments(.text(after))
        ) { (try $0.string(0), try $0.int(1), try $0.data(2)) }
        for (sha, size, data) in page {
          blobs += 1
          let actual = PostgresStore.sha256(data)
          if actual != sha {
            problems.append("blob \(sha): content hashes to \(actual) (damaged)")
          } else if data.count != size {
            problems.append("blob \(sha): size column says \(size), data has \(data.count)")
          }
        }
        guard let last = page.last else { break }
        after = last.0
      }
      for (run, metric, state) in try summaryStates() {
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
      let runs = Int(try session.integer("SELECT count(*) FROM runs") ?? 0)
      return IntegrityReport(
        problems: problems, blobsChecked: blobs, runCount: runs, schemaVersion: schemaVersion)
    }
  }

  public func repairSummaries() throws -> Int {
    try write {
      var repaired = 0
      for (run, metric, state) in try summaryStates() where state != .current {
        try updateMatrixSummary(run: run, metric: metric)
        repaired += 1
      }
      return repaired
    }
  }

  /// Whether a matrix's stored summaries match its cells.
  enum SummaryState { case current, stale, missing }

  /// Every matrix (run, metric) with the state of its summaries, by run then first recorded.
  private func summaryStates() throws -> [(RunID, String, SummaryState)] {
    let matrices = try session.rows(
      """
      SELECT m.run_id, m.metric, s.acc, s.bwt, s.fwt, s.forgetting, (s.run_id IS NULL)::int
      FROM (SELECT DISTINCT run_id, metric FROM matrix) m
      LEFT JOIN matrix_summaries s ON s.run_id = m.run_id AND s.metric = m.metric
      ORDER BY m.run_id, s.position IS NULL, s.position, m.metric
      """
    ) { row in
      (
        try row.int64(0), try row.string(1),
        try [2, 3, 4, 5].map { try row.optionalDouble($0) }, try row.int(6) == 1
      )
    }
    struct Matrix: Hashable { var run: RunID, metric: String }
    var cells: [Matrix: [Int: [Double]]] = [:]
    for (run, metric, i, j, value) in try session.rows(
      "SELECT run_id, metric, trained_through, task, value FROM matrix",
      PostgresBindings(),
      { (try $0.int64(0), try $0.string(1), try $0.int(2), try $0.int(3), try $0.metricValue(4)) })
    {
      PostgresStore.place(
        value, trainedThrough: i, task: j, in: &cells[Matrix(run: run, metric: metric), default: [:]])
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
    try read {
      try session.first(
        "SELECT value::double precision FROM settings WHERE key = 'stale_heartbeat_seconds'"
      ) { try $0.optionalDouble(0) } ?? nil
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
    try write {
      try session.execute(
        """
        INSERT INTO settings (key, value) VALUES ('stale_heartbeat_seconds', $1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """, arguments(.text(StoreValue.format(seconds))))
    }
  }
}
