import Foundation
import PostgresNIO
import Tracking

extension PostgresStore {
  static let runColumns = """
    r.id, r.uuid, r.name, e.name, s.status, r.created_at, r.started_at, r.ended_at,
    r.heartbeat_at, r.pid, r.host, r.command, r.git_commit, r.continued_from, r.notes,
    COALESCE(r.experiment_id, 0), r.deleted_at
    """
  static let runFrom = """
    FROM runs r JOIN run_status s ON s.run_id = r.id
    LEFT JOIN experiments e ON e.id = r.experiment_id
    """

  static func decodeRun(_ row: PostgresCells) throws -> Run {
    func date(_ index: Int) throws -> Date? {
      try row.optionalDouble(index).map(Date.init(timeIntervalSince1970:))
    }
    return Run(
      id: try row.int64(0), uuid: try row.string(1), name: try row.string(2),
      experiment: try row.optionalString(3), experimentID: try row.int64(15),
      status: RunStatus(rawValue: try row.string(4)) ?? .crashed,
      createdAt: Date(timeIntervalSince1970: try row.double(5)), startedAt: try date(6),
      endedAt: try date(7), heartbeatAt: try date(8), pid: try row.optionalInt(9),
      host: try row.optionalString(10), command: try row.optionalString(11),
      gitCommit: try row.optionalString(12), continuedFrom: try row.optionalInt64(13),
      notes: try row.optionalString(14), deletedAt: try date(16))
  }

  /// Reads a run on the connection (under the lock); `.runNotFound` when absent.
  func runRow(_ id: RunID) throws -> Run {
    let run = try session.first(
      "SELECT \(PostgresStore.runColumns) \(PostgresStore.runFrom) WHERE r.id = $1",
      arguments(.integer(id)), PostgresStore.decodeRun)
    guard let run else {
      throw TrackingError(
        .runNotFound,
        "There is no run with id \(id) in \(url.redacted). `track runs` lists the runs.")
    }
    return run
  }

  public func run(_ id: RunID) throws -> Run {
    try read { try runRow(id) }
  }

  public func params(of run: RunID) throws -> [Param] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        "SELECT key, value, number FROM params WHERE run_id = $1 ORDER BY key",
        arguments(.integer(run))
      ) { row in
        Param(
          key: try row.string(0),
          value: row.isNull(2) ? .text(try row.string(1)) : .number(try row.double(2)))
      }
    }
  }

  public func tags(of run: RunID) throws -> [String: String] {
    try read {
      _ = try runRow(run)
      var tags: [String: String] = [:]
      for (key, value) in try session.rows(
        "SELECT key, value FROM tags WHERE run_id = $1", arguments(.integer(run)),
        { (try $0.string(0), try $0.string(1)) })
      {
        tags[key] = value
      }
      return tags
    }
  }

  public func metricKeys(of run: RunID) throws -> [String] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        """
        SELECT k.name FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id
        WHERE l.run_id = $1 ORDER BY k.name
        """, arguments(.integer(run))
      ) { try $0.string(0) }
    }
  }

  public func metricSeries(of run: RunID, key: String) throws -> [MetricPoint] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        """
        SELECT p.step, p.epoch, p.task, p.value, r.created_at + p.wall_ms / 1000.0::float8
        FROM metric_points p JOIN metric_keys k ON k.id = p.key_id JOIN runs r ON r.id = p.run_id
        WHERE p.run_id = $1 AND k.name = $2 ORDER BY p.step, p.seq
        """, arguments(.integer(run), .text(key))
      ) { row in
        MetricPoint(
          key: key, value: try row.metricValue(3), step: try row.int(0),
          epoch: try row.optionalInt(1), task: try row.optionalInt(2),
          wallTime: Date(timeIntervalSince1970: try row.double(4)))
      }
    }
  }

  public func latestMetrics(of run: RunID) throws -> [String: Double] {
    try read {
      _ = try runRow(run)
      var values: [String: Double] = [:]
      for (name, value) in try session.rows(
        """
        SELECT k.name, l.value FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id
        WHERE l.run_id = $1
        """, arguments(.integer(run)), { (try $0.string(0), try $0.metricValue(1)) })
      {
        values[name] = value
      }
      return values
    }
  }

  public func latestMetricPoints(of run: RunID) throws -> [MetricPoint] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        """
        SELECT k.name, l.value, l.step, l.wall_time FROM metric_latest l
        JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = $1 ORDER BY k.name
        """, arguments(.integer(run))
      ) { row in
        MetricPoint(
          key: try row.string(0), value: try row.metricValue(1), step: try row.int(2),
          wallTime: Date(timeIntervalSince1970: try row.double(3)))
      }
    }
  }

  public func tasks(of run: RunID) throws -> [TaskRecord] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        """
        SELECT task, name, train_size, test_size, classes FROM tasks
        WHERE run_id = $1 ORDER BY task
        """, arguments(.integer(run))
      ) { row in
        let text = try row.string(4)
        guard let classes = try? JSONDecoder().decode([Int].self, from: Data(text.utf8)) else {
          throw TrackingError(
            .storage,
            "Task \(try row.int(0)) of run \(run) in \(url.redacted) has classes "
              + "'\(text.prefix(80))', not a JSON list of integers (another client wrote it). "
              + "Fix the row in `tasks`.")
        }
        return TaskRecord(
          index: try row.int(0), name: try row.string(1), trainSize: try row.int(2),
          testSize: try row.int(3), classes: classes)
      }
    }
  }

  public func matrixMetrics(of run: RunID) throws -> [String] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        "SELECT metric FROM matrix_summaries WHERE run_id = $1 ORDER BY position",
        arguments(.integer(run))
      ) { try $0.string(0) }
    }
  }

  public func matrix(of run: RunID, metric: String?) throws -> AccuracyMatrix {
    try read {
      _ = try runRow(run)
      let name =
        try metric
        ?? session.first(
          "SELECT metric FROM matrix_summaries WHERE run_id = $1 ORDER BY position LIMIT 1",
          arguments(.integer(run))
        ) { try $0.string(0) } ?? "accuracy"
      return try loadMatrix(run: run, metric: name)
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

  func loadMatrix(run: RunID, metric: String) throws -> AccuracyMatrix {
    var rows: [Int: [Double]] = [:]
    for (i, j, value) in try session.rows(
      """
      SELECT trained_through, task, value FROM matrix
      WHERE run_id = $1 AND metric = $2 ORDER BY trained_through, task
      """, arguments(.integer(run), .text(metric)),
      { (try $0.int(0), try $0.int(1), try $0.metricValue(2)) })
    {
      PostgresStore.place(value, trainedThrough: i, task: j, in: &rows)
    }
    return AccuracyMatrix(metric: metric, rows: rows)
  }

  public func checkpoints(of run: RunID) throws -> [CheckpointRecord] {
    try read {
      _ = try runRow(run)
      return try session.rows(
        """
        SELECT c.id, c.task, c.epoch, c.kind, c.sha256, b.size, c.created_at
        FROM checkpoints c JOIN blobs b ON b.sha256 = c.sha256
        WHERE c.run_id = $1 ORDER BY c.id
        """, arguments(.integer(run))
      ) { row in
        CheckpointRecord(
          id: try row.int64(0), run: run, task: try row.int(1), epoch: try row.optionalInt(2),
          kind: try row.string(3), sha256: try row.string(4), size: try row.int(5),
          createdAt: Date(timeIntervalSince1970: try row.double(6)))
      }
    }
  }

  public func loadBlob(_ sha256: String) throws -> Data {
    try read {
      let hash = sha256.lowercased()
      guard
        let data = try session.first(
          "SELECT data FROM blobs WHERE sha256 = $1", arguments(.text(hash)), { try $0.data(0) })
      else {
        throw TrackingError(
          .blobNotFound,
          "There is no blob \(sha256) in \(url.redacted); `track check` lists problems.")
      }
      let actual = PostgresStore.sha256(data)
      guard actual == hash else {
        throw TrackingError(
          .blobCorrupt,
          "Blob \(sha256) in \(url.redacted) is damaged: its \(data.count) bytes hash to "
            + "\(actual). It was not used. Restore the database from a backup or re-run the "
            + "run that made it.")
      }
      return data
    }
  }

  public func knowledgeBase(of run: RunID) throws -> [KnowledgeEntry] {
    try read {
      _ = try runRow(run)
      let rows = try session.rows(
        """
        SELECT id, features_sha256, target, task, source_run_id, added_at, logits
        FROM knowledge WHERE run_id = $1 ORDER BY id
        """, arguments(.integer(run))
      ) { row in
        (
          try row.int64(0), try row.string(1), try row.double(2), try row.int(3),
          try row.optionalInt64(4), try row.double(5), row.isNull(6) ? nil : try row.data(6)
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

  public func knowledgeBaseCounts(of run: RunID) throws -> [Int: Int] {
    try read {
      _ = try runRow(run)
      var counts: [Int: Int] = [:]
      for (task, count) in try session.rows(
        "SELECT task, count(*) FROM knowledge WHERE run_id = $1 GROUP BY task",
        arguments(.integer(run)), { (try $0.int(0), Int(try $0.int64(1))) })
      {
        counts[task] = count
      }
      return counts
    }
  }

  public func knowledgeBaseCount(of run: RunID) throws -> Int {
    try read {
      _ = try runRow(run)
      return Int(
        try session.integer(
          "SELECT count(*) FROM knowledge WHERE run_id = $1", arguments(.integer(run))) ?? 0)
    }
  }

  /// Read-only SQL for `track query`, in PostgreSQL's dialect: rows as column names + values.
  ///
  /// Runs in a READ ONLY transaction (rolled back at the end) with a statement timeout of
  /// `queryTimeout`, one statement (the extended protocol takes no more), so a query can never
  /// change the store: a write is refused with `.writeInQuery`.
  public func query(_ sql: String) throws -> QueryResult {
    try read {
      try session.execute("BEGIN TRANSACTION READ ONLY")
      defer { _ = try? session.execute("ROLLBACK") }
      try session.execute(
        "SET LOCAL statement_timeout = \(Int(PostgresStore.queryTimeout * 1000))")
      let result: PostgresQueryResult
      do {
        result = try session.query(sql)
      } catch var error as TrackingError {
        let state = session.lastSQLState ?? ""
        let shown = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = error.message
          .replacingOccurrences(of: "PostgreSQL at \(url.redacted) failed: ", with: "")
        switch state {
        case "25006":
          error.code = .writeInQuery
          error.message =
            "`track query` is read-only, and this SQL would change the store: \(shown). "
            + "Use psql for changes."
        case "57014":
          error.code = .invalidQuery
          error.message =
            "The query ran longer than \(Int(PostgresStore.queryTimeout)) s and was cancelled: "
            + "\(shown). Narrow it (a WHERE clause, a LIMIT)."
        case "42601" where reason.contains("multiple commands"):
          error.code = .writeInQuery
          error.message =
            "`track query` runs one statement, and this SQL has several: \(shown)."
        case _ where state.hasPrefix("42") || state.hasPrefix("22") || state.hasPrefix("0A"):
          error.code = .invalidQuery
          error.message = "The query does not run: \(reason)"
        default:
          break
        }
        throw error
      }
      let columns = try result.rows.first.map { $0.map(\.columnName) } ?? columnNames(of: sql)
      let rows = try result.rows.map { row in
        try row.map { try PostgresStore.storeValue($0) }
      }
      return QueryResult(columns: columns, rows: rows)
    }
  }

  /// The column names of a query that returned no rows (postgres-nio shows names only with
  /// rows): a SELECT joined to one row yields one row of NULLs with its names. Empty for SQL
  /// that cannot be a subquery (SHOW, EXPLAIN).
  private func columnNames(of sql: String) throws -> [String] {
    var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
    while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespaces) }
    try session.execute("SAVEPOINT track_columns")
    do {
      let row = try session.query(
        "SELECT q.* FROM (SELECT 1) AS one LEFT JOIN (\n\(body)\n) AS q ON true"
      ).rows.first
      try session.execute("RELEASE SAVEPOINT track_columns")
      return row.map { $0.map(\.columnName) } ?? []
    } catch {
      try session.execute("ROLLBACK TO SAVEPOINT track_columns")
      return []
    }
  }

  /// One cell of a query's result as a store value; a type without a reading here is an
  /// `.invalidQuery` that says how to cast it.
  static func storeValue(_ cell: PostgresCell) throws -> StoreValue {
    guard cell.bytes != nil else { return .null }
    do {
      switch cell.dataType {
      case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
      case .float4, .float8:
        let value = try cell.decode(Double.self)
        return value.isNaN ? .null : .real(value)
      case .numeric:
        let value = try cell.decode(Decimal.self)
        if value == value.rounded(), let integer = Int64(exactly: NSDecimalNumber(decimal: value)) {
          return .integer(integer)
        }
        return .real(NSDecimalNumber(decimal: value).doubleValue)
      case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
      case .bytea: return .blob(Data(try cell.decode(ByteBuffer.self).readableBytesView))
      case .timestamp, .timestamptz, .date:
        return .text(ISO8601DateFormatter().string(from: try cell.decode(Date.self)))
      case .text, .varchar, .name, .bpchar, .json, .jsonb, .uuid, .char:
        return .text(try cell.decode(String.self))
      default:
        break
      }
    } catch let error as TrackingError {
      throw error
    } catch {}
    throw TrackingError(
      .invalidQuery,
      "Column '\(cell.columnName)' has PostgreSQL type \(cell.dataType), which `track query` "
        + "does not show; cast it, e.g. \(cell.columnName)::text.")
  }
}

extension Decimal {
  fileprivate func rounded() -> Decimal {
    var value = self
    var result = Decimal()
    NSDecimalRound(&result, &value, 0, .plain)
    return result
  }
}
