import Foundation
import PostgresNIO
import Tracking

/// The writes of a live run (`RunLogger` calls them), each one transaction.
extension PostgresStore {
  public func appendMetrics(_ points: [MetricPoint], to run: RunID, heartbeat: Date?) throws {
    if points.isEmpty && heartbeat == nil { return }
    try writingPoints(points, run: run) { serverNumbering in
      try insertMetrics(
        points, run: run, heartbeat: heartbeat?.timeIntervalSince1970,
        serverNumbering: serverNumbering)
    }
  }

  public func endRun(_ run: RunID, status: RunStatus, lastPoints: [MetricPoint]) throws {
    let now = Date().timeIntervalSince1970
    try writingPoints(lastPoints, run: run) { serverNumbering in
      _ = try runRow(run)
      try insertMetrics(lastPoints, run: run, heartbeat: nil, serverNumbering: serverNumbering)
      try session.execute(
        "UPDATE runs SET status = $1, ended_at = $2, heartbeat_at = $2 WHERE id = $3",
        arguments(.text(status.rawValue), .real(now), .integer(run)))
    }
  }

  /// Runs `body` (which writes `points`) in one write transaction with `seq` numbered here;
  /// when a (run, key, step, seq) was taken — by another writer of the same run, or by an
  /// earlier point of the batch whose step came back — runs it again with `seq` numbered by
  /// the server. (`write` rolls the first attempt back and restores the caches.)
  private func writingPoints(
    _ points: [MetricPoint], run: RunID, _ body: (_ serverNumbering: Bool) throws -> Void
  ) throws {
    // Under the (recursive) lock throughout, so the failure read is this write's own.
    lock.lock()
    defer { lock.unlock() }
    do {
      try write { try body(false) }
    } catch where !points.isEmpty && session.lastSQLState == "23505" {
      seriesEnds = seriesEnds.filter { $0.key.run != run }
      try write { try body(true) }
    }
  }

  /// One batch of points as columns, for `unnest`.
  private struct PointColumns {
    var keys: [Int64] = []
    var steps: [Int64] = []
    var seqs: [Int64] = []
    var epochs: [Int64?] = []
    var tasks: [Int64?] = []
    var values: [Double?] = []
    var wallMS: [Int64] = []

    mutating func reserve(_ count: Int) {
      keys.reserveCapacity(count)
      steps.reserveCapacity(count)
      seqs.reserveCapacity(count)
      epochs.reserveCapacity(count)
      tasks.reserveCapacity(count)
      values.reserveCapacity(count)
      wallMS.reserveCapacity(count)
    }
  }

  /// Inserts points, keeps `metric_latest` current (per metric, the point with the highest
  /// step wins, and among equal steps the one logged last) and records the heartbeat, all in
  /// one statement (`unnest` of array parameters).
  ///
  /// A point gets `seq` 0 when its step is past the series' end (the usual case, no lookup);
  /// a step already stored gets the next `seq` for it. With `serverNumbering`, the server
  /// numbers every point (after a conflict: `writingPoints`).
  func insertMetrics(
    _ points: [MetricPoint], run: RunID, heartbeat: Double?, serverNumbering: Bool
  ) throws {
    guard !points.isEmpty else {
      if let heartbeat {
        try session.execute(
          "UPDATE runs SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'",
          arguments(.real(heartbeat), .integer(run)))
      }
      return
    }
    let origin = try runOrigin(run)
    var columns = PointColumns()
    columns.reserve(points.count)
    var latest: [Int64: MetricPoint] = [:]
    var cursors: [Int64: SeriesCursor] = [:]
    var lastKey = ""
    var keyID: Int64 = 0
    for point in points {
      if point.key != lastKey {
        keyID = try metricKeyID(point.key)
        lastKey = point.key
      }
      var cursor =
        try cursors[keyID]
        ?? SeriesCursor(end: seriesEnd(SeriesKey(run: run, key: keyID)), step: .min, seq: -1)
      let seq: Int64
      if point.step > cursor.end {
        seq = 0
        cursor.end = point.step
      } else if point.step == cursor.step {
        seq = cursor.seq + 1
      } else {
        seq = try nextSeq(run: run, key: keyID, step: point.step)
      }
      cursor.step = point.step
      cursor.seq = seq
      cursors[keyID] = cursor
      columns.keys.append(keyID)
      columns.steps.append(Int64(point.step))
      columns.seqs.append(seq)
      columns.epochs.append(point.epoch.map(Int64.init))
      columns.tasks.append(point.task.map(Int64.init))
      columns.values.append(point.value.isNaN ? nil : point.value)
      columns.wallMS.append(
        Int64(((point.wallTime.timeIntervalSince1970 - origin) * 1000).rounded()))
      if let current = latest[keyID], current.step > point.step { continue }
      latest[keyID] = point
    }
    for (key, cursor) in cursors { seriesEnds[SeriesKey(run: run, key: key)] = cursor.end }
    // One row per metric in metric_latest (a statement may not upsert a row twice).
    let newest = latest.sorted { $0.key < $1.key }
    if serverNumbering {
      var bindings = self.bindings(run: run, columns)
      let first = bindings.count + 1
      bindings.append(newest.map(\.key))
      bindings.append(newest.map { Int64($0.value.step) })
      bindings.append(NullableArray(newest.map { $0.value.value.isNaN ? nil : $0.value.value }))
      bindings.append(newest.map { $0.value.wallTime.timeIntervalSince1970 })
      var beat = ""
      if let heartbeat {
        bindings.append(heartbeat)
        beat = """
          , beat AS (UPDATE runs SET heartbeat_at = $\(first + 4)
                     WHERE id = $1 AND status = 'running')
          """
      }
      try session.execute(
        """
        WITH points AS (
          INSERT INTO metric_points (run_id, key_id, step, seq, epoch, task, value, wall_ms)
          SELECT $1, u.k, u.s,
                 COALESCE((SELECT max(p.seq) + 1 FROM metric_points p
                           WHERE p.run_id = $1 AND p.key_id = u.k AND p.step = u.s), 0)
                   + row_number() OVER (PARTITION BY u.k, u.s ORDER BY u.o) - 1,
                 u.e, u.t, u.v, u.w
          FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                      $6::double precision[], $7::bigint[])
               WITH ORDINALITY AS u(k, s, e, t, v, w, o)
        )\(beat)
        \(PostgresStore.latestUpsert(first))
        """, bindings)
      return
    }
    // The points by COPY (the fastest path to the server), then the latest values and the
    // heartbeat in one statement.
    try session.copy(
      into: "metric_points",
      columns: ["run_id", "key_id", "step", "seq", "epoch", "task", "value", "wall_ms"],
      rows: PostgresStore.copyRows(run: run, columns))
    var latestBindings = PostgresBindings(capacity: 6)
    latestBindings.append(run)
    latestBindings.append(newest.map(\.key))
    latestBindings.append(newest.map { Int64($0.value.step) })
    latestBindings.append(
      NullableArray(newest.map { $0.value.value.isNaN ? nil : $0.value.value }))
    latestBindings.append(newest.map { $0.value.wallTime.timeIntervalSince1970 })
    var latestBeat = ""
    if let heartbeat {
      latestBindings.append(heartbeat)
      latestBeat = """
        WITH beat AS (UPDATE runs SET heartbeat_at = $6 WHERE id = $1 AND status = 'running')
        """
    }
    try session.execute(
      latestBeat + "\n" + PostgresStore.latestUpsert(2), latestBindings)
  }

  /// The upsert of `metric_latest` from arrays bound at `$first`…`$first + 3` (run at `$1`).
  private static func latestUpsert(_ first: Int) -> String {
    """
    INSERT INTO metric_latest (run_id, key_id, step, value, wall_time)
    SELECT $1, u.k, u.s, u.v, u.w
    FROM unnest($\(first)::bigint[], $\(first + 1)::bigint[], $\(first + 2)::double precision[],
                $\(first + 3)::double precision[]) AS u(k, s, v, w)
    ON CONFLICT (run_id, key_id) DO UPDATE SET step = excluded.step, value = excluded.value,
      wall_time = excluded.wall_time
    WHERE excluded.step >= metric_latest.step
    """
  }

  /// A batch as COPY's text format: tab-separated, `\N` for NULL (NaN values included).
  private static func copyRows(run: RunID, _ columns: PointColumns) -> ByteBuffer {
    var text = ""
    text.reserveCapacity(columns.keys.count * 48)
    let prefix = "\(run)\t"
    for index in columns.keys.indices {
      text += prefix
      text += String(columns.keys[index])
      text += "\t"
      text += String(columns.steps[index])
      text += "\t"
      text += String(columns.seqs[index])
      text += "\t"
      text += columns.epochs[index].map(String.init) ?? "\\N"
      text += "\t"
      text += columns.tasks[index].map(String.init) ?? "\\N"
      text += "\t"
      if let value = columns.values[index] {
        text += value.isInfinite ? (value < 0 ? "-Infinity" : "Infinity") : "\(value)"
      } else {
        text += "\\N"
      }
      text += "\t"
      text += String(columns.wallMS[index])
      text += "\n"
    }
    return ByteBuffer(string: text)
  }

  /// Where a series stands within a batch: its highest step, and the step and `seq` of the
  /// point before. A step met again later, not right after itself, reads its next `seq`
  /// from the table; if an earlier point of the same batch took it, the insert conflicts and
  /// the server numbers the batch instead.
  private struct SeriesCursor {
    var end: Int
    var step: Int
    var seq: Int64
  }

  /// The batch's columns without `seq` (the server numbers them), for `unnest`.
  private func bindings(run: RunID, _ columns: PointColumns) -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 8)
    bindings.append(run)
    bindings.append(columns.keys)
    bindings.append(columns.steps)
    bindings.append(NullableArray(columns.epochs))
    bindings.append(NullableArray(columns.tasks))
    bindings.append(NullableArray(columns.values))
    bindings.append(columns.wallMS)
    return bindings
  }

  /// The highest step stored for a series (cached; read once per series and connection).
  private func seriesEnd(_ series: SeriesKey) throws -> Int {
    if let end = seriesEnds[series] { return end }
    let end =
      try session.integer(
        "SELECT max(step) FROM metric_points WHERE run_id = $1 AND key_id = $2",
        arguments(.integer(series.run), .integer(series.key))
      ).map(Int.init) ?? Int.min
    seriesEnds[series] = end
    return end
  }

  /// The next free `seq` for a step of a series.
  private func nextSeq(run: RunID, key: Int64, step: Int) throws -> Int64 {
    try session.integer(
      """
      SELECT COALESCE(max(seq) + 1, 0) FROM metric_points
      WHERE run_id = $1 AND key_id = $2 AND step = $3
      """, arguments(.integer(run), .integer(key), .integer(Int64(step)))) ?? 0
  }

  /// The run's `created_at`: `wall_ms` counts from it (cached per run).
  func runOrigin(_ run: RunID) throws -> Double {
    if let origin = runOrigins[run] { return origin }
    guard
      let origin = try session.first(
        "SELECT created_at FROM runs WHERE id = $1", arguments(.integer(run)), { try $0.double(0) })
    else {
      throw TrackingError(
        .runNotFound,
        "There is no run with id \(run) in \(url.redacted). `track runs` lists the runs.")
    }
    runOrigins[run] = origin
    return origin
  }

  public func recordTasks(_ tasks: [TaskRecord], run: RunID) throws {
    for task in tasks where task.index < 1 || task.trainSize < 0 || task.testSize < 0 {
      throw TrackingError(
        .invalidValue,
        "Task \(task.index) ('\(task.name)') of run \(run) is invalid: indices start at 1 and "
          + "sizes cannot be negative.")
    }
    try write {
      _ = try runRow(run)
      for task in tasks {
        let classes = String(decoding: try JSONEncoder().encode(task.classes), as: UTF8.self)
        try session.execute(
          """
          INSERT INTO tasks (run_id, task, name, train_size, test_size, classes)
          VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (run_id, task) DO UPDATE SET name = excluded.name,
            train_size = excluded.train_size, test_size = excluded.test_size,
            classes = excluded.classes
          """,
          arguments(
            .integer(run), .integer(Int64(task.index)), .text(task.name),
            .integer(Int64(task.trainSize)), .integer(Int64(task.testSize)), .text(classes)))
      }
    }
  }

  public func recordMatrixRow(
    run: RunID, trainedThrough: Int, scores: [Double], metric: String
  ) throws {
    try NameRules.validateKey(metric, kind: "matrix metric", run: run)
    guard trainedThrough >= 0, !scores.isEmpty else {
      throw TrackingError(
        .invalidValue,
        "Matrix row \(trainedThrough) of run \(run) is invalid: the row index must be >= 0 "
          + "(0 = baseline) and the row needs one score per task.")
    }
    try write {
      _ = try runRow(run)
      let width = try session.integer(
        "SELECT max(task) FROM matrix WHERE run_id = $1 AND metric = $2",
        arguments(.integer(run), .text(metric)))
      if let width, width != Int64(scores.count) {
        throw TrackingError(
          .invalidValue,
          "Matrix row \(trainedThrough) of run \(run) ('\(metric)') has \(scores.count) scores, "
            + "but earlier rows have \(width): every row scores every task.")
      }
      var bindings = PostgresBindings()
      bindings.append(run)
      bindings.append(metric)
      bindings.append(Int64(trainedThrough))
      bindings.append(NullableArray(scores.map { $0.isNaN ? nil : $0 }))
      try session.execute(
        """
        INSERT INTO matrix (run_id, metric, trained_through, task, value)
        SELECT $1, $2, $3, u.o, u.v FROM unnest($4::double precision[]) WITH ORDINALITY AS u(v, o)
        ON CONFLICT (run_id, metric, trained_through, task) DO UPDATE SET value = excluded.value
        """, bindings)
      try updateMatrixSummary(run: run, metric: metric)
    }
  }

  public func saveCheckpoint(
    run: RunID, task: Int, epoch: Int?, kind: String, data: Data
  ) throws -> String {
    try NameRules.validateKey(kind, kind: "checkpoint kind", run: run)
    return try write {
      _ = try runRow(run)
      let sha = try storeBlob(data)
      try session.execute(
        """
        INSERT INTO checkpoints (run_id, task, epoch, kind, sha256, created_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        arguments(
          .integer(run), .integer(Int64(task)), epoch.map { .integer(Int64($0)) } ?? .null,
          .text(kind), .text(sha), .real(Date().timeIntervalSince1970)))
      return sha
    }
  }

  public func addKnowledge(_ entries: [KnowledgeEntry], to run: RunID) throws -> [Int64] {
    let now = Date().timeIntervalSince1970
    return try write {
      _ = try runRow(run)
      var hashes: [String] = []
      for entry in entries { hashes.append(try storeBlob(entry.features)) }
      guard !entries.isEmpty else { return [] }
      var bindings = PostgresBindings()
      bindings.append(run)
      bindings.append(entries.map { $0.sourceRun ?? run })
      bindings.append(hashes)
      bindings.append(entries.map(\.target))
      bindings.append(entries.map { Int64($0.task) })
      bindings.append(entries.map { $0.addedAt?.timeIntervalSince1970 ?? now })
      let ids = try session.rows(
        """
        INSERT INTO knowledge (run_id, source_run_id, features_sha256, target, task, added_at)
        SELECT $1, u.r, u.h, u.t, u.k, u.a
        FROM unnest($2::bigint[], $3::text[], $4::double precision[], $5::bigint[],
                    $6::double precision[]) WITH ORDINALITY AS u(r, h, t, k, a, o)
        ORDER BY u.o
        RETURNING id
        """, bindings
      ) { try $0.int64(0) }.sorted()
      // DER++'s stored logits (migration 8), for the entries that have them.
      for (id, entry) in zip(ids, entries) {
        guard let logits = entry.logits else { continue }
        _ = try session.execute(
          "UPDATE knowledge SET logits = $1 WHERE id = $2",
          arguments(.blob(logits), .integer(id)))
      }
      return ids
    }
  }

  public func removeKnowledge(ids: [Int64], from run: RunID) throws {
    try write {
      guard !ids.isEmpty else { return }
      var bindings = PostgresBindings()
      bindings.append(ids)
      bindings.append(run)
      let released = Set(
        try session.rows(
          "DELETE FROM knowledge WHERE id = ANY($1::bigint[]) AND run_id = $2 "
            + "RETURNING features_sha256", bindings
        ) { try $0.string(0) })
      try deleteUnreferencedBlobs(released)
    }
  }

  public func deleteCheckpoints(of run: RunID, before task: Int) throws {
    try write {
      let released = Set(
        try session.rows(
          "DELETE FROM checkpoints WHERE run_id = $1 AND task < $2 RETURNING sha256",
          arguments(.integer(run), .integer(Int64(task)))
        ) { try $0.string(0) })
      try deleteUnreferencedBlobs(released)
    }
  }
}
