import Foundation
import Tracking

extension SQLiteStore {
  static let runColumns = """
    r.id, r.uuid, r.name, e.name, s.status, r.created_at, r.started_at, r.ended_at,
    r.heartbeat_at, r.pid, r.host, r.command, r.git_commit, r.continued_from, r.notes,
    COALESCE(r.experiment_id, 0), r.deleted_at
    """
  static let runFrom = """
    FROM runs r JOIN run_status s ON s.run_id = r.id
    LEFT JOIN experiments e ON e.id = r.experiment_id
    """

  static func decodeRun(_ row: Statement) -> Run {
    func date(_ index: Int) -> Date? {
      row.optionalDouble(index).map(Date.init(timeIntervalSince1970:))
    }
    return Run(
      id: row.int64(0), uuid: row.string(1), name: row.string(2), experiment: row.optionalString(3),
      experimentID: row.int64(15), status: RunStatus(rawValue: row.string(4)) ?? .crashed,
      createdAt: Date(timeIntervalSince1970: row.double(5)), startedAt: date(6), endedAt: date(7),
      heartbeatAt: date(8), pid: row.optionalInt(9), host: row.optionalString(10),
      command: row.optionalString(11), gitCommit: row.optionalString(12),
      continuedFrom: row.optionalInt64(13), notes: row.optionalString(14),
      deletedAt: date(16))
  }

  /// Reads a run inside an open connection; `.runNotFound` when absent.
  func runRow(_ id: RunID, in database: Database) throws -> Run {
    let run = try database.statement(
      "SELECT \(SQLiteStore.runColumns) \(SQLiteStore.runFrom) WHERE r.id = ?"
    ).first([.integer(id)], SQLiteStore.decodeRun)
    guard let run else {
      throw TrackingError(
        .runNotFound, "There is no run with id \(id) in \(path). `track runs` lists the runs.")
    }
    return run
  }

  /// The run with this id.
  public func run(_ id: RunID) throws -> Run {
    try withDatabase { try runRow(id, in: $0) }
  }

  /// The params of a run, sorted by key.
  public func params(of run: RunID) throws -> [Param] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return try database.statement(
        "SELECT key, value, number FROM params WHERE run_id = ? ORDER BY key"
      ).map([.integer(run)]) { row in
        Param(
          key: row.string(0), value: row.isNull(2) ? .text(row.string(1)) : .number(row.double(2)))
      }
    }
  }

  /// The tags of a run.
  public func tags(of run: RunID) throws -> [String: String] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      var tags: [String: String] = [:]
      try database.statement("SELECT key, value FROM tags WHERE run_id = ?").forEach(
        [.integer(run)]
      ) { tags[$0.string(0)] = $0.string(1) }
      return tags
    }
  }

  /// The names of the metrics a run logged, sorted.
  public func metricKeys(of run: RunID) throws -> [String] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return try database.statement(
        """
        SELECT k.name FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id
        WHERE l.run_id = ? ORDER BY k.name
        """
      ).map([.integer(run)]) { $0.string(0) }
    }
  }

  /// Every point of one metric of a run, by step (then in logging order).
  public func metricSeries(of run: RunID, key: String) throws -> [MetricPoint] {
    try withDatabase { database in
      let created = try runRow(run, in: database).createdAt.timeIntervalSince1970
      guard let series = try seriesID(of: run, key: key, in: database) else { return [] }
      return try seriesPoints(series, in: database)
        .map([.integer(series)]) { row in
          MetricPoint(
            key: key, value: row.metricValue(2), step: row.int(0), epoch: row.optionalInt(3),
            task: row.optionalInt(4),
            wallTime: Date(timeIntervalSince1970: created + row.double(5) / 1000))
        }
    }
  }

  /// The query of a series' points (argument ?1: its id) in logging order, or only the last
  /// point: the first point of each step is in `metric_values` (seq 0), later ones in
  /// `metric_repeats`. Most series have no repeats and read one clustered range; merging the
  /// two tables sorts each step's points (2.7× slower on a 10,000-point series).
  func seriesPoints(_ series: Int64, lastOnly: Bool = false, in database: Database) throws
    -> Statement
  {
    let values =
      "SELECT step, 0 AS seq, value, epoch, task, wall_ms FROM metric_values WHERE series_id = ?1"
    let repeated = try database.integer(
      "SELECT EXISTS (SELECT 1 FROM metric_repeats WHERE series_id = ?)", [.integer(series)])
    guard repeated == 1 else {
      return try database.statement(
        values + (lastOnly ? " ORDER BY step DESC LIMIT 1" : " ORDER BY step"))
    }
    return try database.statement(
      values
        + " UNION ALL SELECT step, seq, value, epoch, task, wall_ms FROM metric_repeats"
        + " WHERE series_id = ?1"
        + (lastOnly ? " ORDER BY step DESC, seq DESC LIMIT 1" : " ORDER BY step, seq"))
  }

  /// The `metric_series` id of a run's metric, nil when it has no points.
  func seriesID(of run: RunID, key: String, in database: Database) throws -> Int64? {
    try database.integer(
      """
      SELECT s.id FROM metric_series s JOIN metric_keys k ON k.id = s.key_id
      WHERE s.run_id = ? AND k.name = ?
      """, [.integer(run), .text(key)])
  }

  /// Streams the series through `SeriesSampler`: one pass over the clustered index, keeping
  /// only the points chosen (a run page of 4 × 100,000 points holds no array of 400,000).
  public func sampledMetricSeries(of run: RunID, key: String, buckets: Int) throws
    -> SampledSeries
  {
    try withDatabase { database in
      let created = try runRow(run, in: database).createdAt.timeIntervalSince1970
      guard let series = try seriesID(of: run, key: key, in: database) else {
        return SampledSeries(points: [], total: 0)
      }
      // Each a single min()/max(): SQLite answers from the end of the index.
      let ends = try ["min", "max"].map { function in
        try ["metric_values", "metric_repeats"].compactMap { table in
          try database.integer(
            "SELECT \(function)(step) FROM \(table) WHERE series_id = ?", [.integer(series)])
        }
      }
      guard let low = ends[0].min(), let high = ends[1].max() else {
        return SampledSeries(points: [], total: 0)
      }
      // Plain values per row (no String, no Date), and the columns beyond step and value
      // read only for the rows kept. (Selecting only step and value, then looking the kept
      // rows up by key, measured no faster: Benchmarks/web.sh.)
      typealias Row = (step: Int, value: Double, epoch: Int?, task: Int?, wallMilliseconds: Double)
      var sampler = SeriesSampler<Row>(low: Double(low), high: Double(high), buckets: buckets)
      func row(_ statement: Statement) -> Row {
        (statement.int(0), statement.metricValue(2), statement.optionalInt(3),
         statement.optionalInt(4), statement.double(5))
      }
      try seriesPoints(series, in: database).forEach(
        [.integer(series)]
      ) { statement in
        let step = statement.int(0)
        sampler.add(x: Double(step), y: statement.metricValue(2), payload: row(statement))
      }
      let last = try seriesPoints(series, lastOnly: true, in: database)
        .map([.integer(series)], row).first
      let points = sampler.result(last: last).map { sample in
        MetricPoint(
          key: key, value: sample.payload.value, step: sample.payload.step,
          epoch: sample.payload.epoch, task: sample.payload.task,
          wallTime: Date(timeIntervalSince1970: created + sample.payload.wallMilliseconds / 1000))
      }
      return SampledSeries(points: points, total: sampler.count)
    }
  }

  /// The latest value (highest step, then last logged) of each metric of a run.
  public func latestMetrics(of run: RunID) throws -> [String: Double] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      var values: [String: Double] = [:]
      try database.statement(
        """
        SELECT k.name, l.value FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id
        WHERE l.run_id = ?
        """
      ).forEach([.integer(run)]) { values[$0.string(0)] = $0.metricValue(1) }
      return values
    }
  }

  public func latestMetricPoints(of run: RunID) throws -> [MetricPoint] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return try database.statement(
        """
        SELECT k.name, l.value, l.step, l.wall_time FROM metric_latest l
        JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = ? ORDER BY k.name
        """
      ).map([.integer(run)]) { row in
        MetricPoint(
          key: row.string(0), value: row.metricValue(1), step: Int(row.int64(2)),
          wallTime: Date(timeIntervalSince1970: row.double(3)))
      }
    }
  }

  /// The tasks of a run's stream, by index.
  public func tasks(of run: RunID) throws -> [TaskRecord] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return try database.statement(
        """
        SELECT task, name, train_size, test_size, classes FROM tasks
        WHERE run_id = ? ORDER BY task
        """
      ).map([.integer(run)]) { row in
        let text = row.string(4)
        guard let classes = try? JSONDecoder().decode([Int].self, from: Data(text.utf8)) else {
          throw TrackingError(
            .storage,
            "Task \(row.int(0)) of run \(run) in \(path) has classes '\(text.prefix(80))', not a "
              + "JSON list of integers (another client wrote it). Fix the row in `tasks`.")
        }
        return TaskRecord(
          index: row.int(0), name: row.string(1), trainSize: row.int(2), testSize: row.int(3),
          classes: classes)
      }
    }
  }

  /// The names of the matrices a run recorded (usually one, e.g. "accuracy").
  public func matrixMetrics(of run: RunID) throws -> [String] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return try database.statement(
        "SELECT metric FROM matrix_summaries WHERE run_id = ? ORDER BY rowid"
      ).map([.integer(run)]) { $0.string(0) }
    }
  }

  /// The matrix of a run for `metric` (default: its first matrix); empty when none recorded.
  public func matrix(of run: RunID, metric: String? = nil) throws -> AccuracyMatrix {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      let name =
        try metric
        ?? database.statement(
          "SELECT metric FROM matrix_summaries WHERE run_id = ? ORDER BY rowid LIMIT 1"
        ).first([.integer(run)]) { $0.string(0) } ?? "accuracy"
      return try loadMatrix(run: run, metric: name, in: database)
    }
  }

  /// Puts R[i][j] into `rows` (row i holds tasks 1...j; cells not stored are NaN).
  static func place(
    _ value: Double, trainedThrough i: Int, task j: Int, in rows: inout [Int: [Double]]
  ) {
    var values = rows[i] ?? []
    while values.count < j { values.append(.nan) }
    values[j - 1] = value
    rows[i] = values
  }

  func loadMatrix(run: RunID, metric: String, in database: Database) throws -> AccuracyMatrix {
    var rows: [Int: [Double]] = [:]
    try database.statement(
      """
      SELECT trained_through, task, value FROM matrix
      WHERE run_id = ? AND metric = ? ORDER BY trained_through, task
      """
    ).forEach([.integer(run), .text(metric)]) { row in
      SQLiteStore.place(
        row.metricValue(2), trainedThrough: row.int(0), task: row.int(1), in: &rows)
    }
    return AccuracyMatrix(metric: metric, rows: rows)
  }

  /// The checkpoints of a run, oldest first.
  public func checkpoints(of run: RunID) throws -> [CheckpointRecord] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return try database.statement(
        """
        SELECT c.id, c.task, c.epoch, c.kind, c.sha256, b.size, c.created_at
        FROM checkpoints c JOIN blobs b ON b.sha256 = c.sha256
        WHERE c.run_id = ? ORDER BY c.id
        """
      ).map([.integer(run)]) { row in
        CheckpointRecord(
          id: row.int64(0), run: run, task: row.int(1), epoch: row.optionalInt(2),
          kind: row.string(3), sha256: row.string(4), size: row.int(5),
          createdAt: Date(timeIntervalSince1970: row.double(6)))
      }
    }
  }

  /// The bytes of a blob, after verifying their SHA-256 (`.blobCorrupt` on mismatch).
  public func loadBlob(_ sha256: String) throws -> Data {
    try withDatabase { database in
      let data = try database.statement("SELECT data FROM blobs WHERE sha256 = ?").first(
        [.text(sha256.lowercased())]
      ) { $0.data(0) }
      guard let data else {
        throw TrackingError(
          .blobNotFound, "There is no blob \(sha256) in \(path); `track check` lists problems.")
      }
      let actual = SQLiteStore.sha256(data)
      guard actual == sha256.lowercased() else {
        throw TrackingError(
          .blobCorrupt,
          "Blob \(sha256) in \(path) is damaged: its \(data.count) bytes hash to \(actual). "
            + "It was not used. Restore the file from a backup or re-run the run that made it.")
      }
      return data
    }
  }

  /// The knowledge base of a run (its own entries, including those copied from the run it
  /// continues), oldest first, with their features verified.
  public func knowledgeBase(of run: RunID) throws -> [KnowledgeEntry] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      let rows = try database.statement(
        """
        SELECT id, features_sha256, target, task, source_run_id, added_at, logits
        FROM knowledge WHERE run_id = ? ORDER BY id
        """
      ).map([.integer(run)]) { row in
        (
          row.int64(0), row.string(1), row.double(2), row.int(3), row.optionalInt64(4),
          row.double(5), row.isNull(6) ? nil : row.data(6)
        )
      }
      var cache: [String: Data] = [:]
      return try rows.map { id, sha, target, task, source, added, logits in
        let features: Data
        if let cached = cache[sha] {
          features = cached
        } else {
          features = try loadBlob(sha)
          cache[sha] = features
        }
        return KnowledgeEntry(
          id: id, features: features, target: target, task: task, sourceRun: source,
          addedAt: Date(timeIntervalSince1970: added), logits: logits)
      }
    }
  }

  /// The number of entries in a run's knowledge base by task.
  public func knowledgeBaseCounts(of run: RunID) throws -> [Int: Int] {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      var counts: [Int: Int] = [:]
      try database.statement("SELECT task, count(*) FROM knowledge WHERE run_id = ? GROUP BY task")
        .forEach([.integer(run)]) { counts[$0.int(0)] = $0.int(1) }
      return counts
    }
  }

  /// The number of entries in a run's knowledge base.
  public func knowledgeBaseCount(of run: RunID) throws -> Int {
    try withDatabase { database in
      _ = try runRow(run, in: database)
      return Int(
        try database.integer(
          "SELECT count(*) FROM knowledge WHERE run_id = ?",
          [.integer(run)]) ?? 0)
    }
  }

  /// Read-only SQL for `track query`: rows as column names + values; a write is an error.
  ///
  /// Runs on a read-only connection and refuses statements that could write
  /// (`sqlite3_stmt_readonly`), so a query can never change the store.
  public func query(_ sql: String) throws -> QueryResult {
    lock.lock()
    defer { lock.unlock() }
    let database = try readerDatabase()
    let statement: Statement
    do {
      statement = try Statement(database: database, sql: sql)
    } catch var error as TrackingError where error.code == .storage {
      // SQL that does not prepare is the user's to fix (a typo, an unknown table).
      error.code = .invalidQuery
      error.message =
        "The query does not run: "
        + error.message.replacingOccurrences(of: "SQLite failed: ", with: "")
      throw error
    }
    guard statement.isReadOnly else {
      throw TrackingError(
        .writeInQuery,
        "`track query` is read-only, and this SQL would change the store: "
          + "\(sql.trimmingCharacters(in: .whitespacesAndNewlines)). Use sqlite3 for changes.")
    }
    let columns = (0..<statement.columnCount).map(statement.columnName)
    let rows = try statement.map { row in (0..<row.columnCount).map(row.value) }
    return QueryResult(columns: columns, rows: rows)
  }
}
