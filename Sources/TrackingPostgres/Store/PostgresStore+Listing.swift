import Foundation
import PostgresNIO
import Tracking

extension PostgresStore {
  /// Runs matching `filter`, ordered by `sort` (default: newest first), at most `limit`.
  public func runs(where filter: RunFilter?, sort: [RunSort], limit: Int?, offset: Int) throws
    -> [RunSummary]
  {
    var values: [StoreValue] = []
    var sql = """
      SELECT o.id, o.uuid, o.name, o.experiment, o.status, r.created_at, o.duration_s,
             o.task_count, o.acc, o.bwt, o.fwt, o.forgetting, o.continued_from
      FROM run_overview o JOIN runs r ON r.id = o.id
      """
    let condition = PostgresStore.listingCondition(filter)
    sql += "\nWHERE \(condition.sql)"
    values += condition.arguments
    guard offset >= 0 else {
      throw TrackingError(.invalidValue, "The offset must be 0 or more, not \(offset).")
    }
    var orderings: [String] = []
    for key in sort {
      orderings += RunField(key.key).orderings(descending: key.descending, arguments: &values)
    }
    orderings.append("o.id \(sort.isEmpty ? "DESC" : "ASC")")
    sql += "\nORDER BY " + orderings.joined(separator: ", ")
    if let limit {
      guard limit >= 0 else {
        throw TrackingError(.invalidValue, "The limit must be 0 or more, not \(limit).")
      }
      sql += "\nLIMIT \(limit)"
    }
    if offset > 0 { sql += "\nOFFSET \(offset)" }
    return try read {
      var withMatrix: Set<RunID> = []
      var summaries = try session.rows(
        sql.numberingPlaceholders(), PostgresBindings(values)
      ) { row in
        var summary: [String: Double] = [:]
        let id = try row.int64(0)
        if !row.isNull(7) {
          withMatrix.insert(id)
          for (index, name) in [(8, "acc"), (9, "bwt"), (10, "fwt"), (11, "forgetting")] {
            if let value = try row.optionalDouble(index) { summary[name] = value }
          }
        }
        return RunSummary(
          id: id, uuid: try row.string(1), name: try row.string(2),
          experiment: try row.optionalString(3),
          status: RunStatus(rawValue: try row.string(4)) ?? .crashed,
          createdAt: Date(timeIntervalSince1970: try row.double(5)),
          duration: try row.optionalDouble(6), params: [:], summary: summary,
          continuedFrom: try row.optionalInt64(12))
      }
      try attachDetails(to: &summaries, withMatrix: withMatrix)
      return summaries
    }
  }

  public func countRuns(where filter: RunFilter?) throws -> Int {
    guard let filter else {
      // The view adds no rows to `runs` and drops none: count the table.
      return try read {
        Int(try session.integer("SELECT count(*) FROM runs WHERE deleted_at IS NULL") ?? 0)
      }
    }
    let condition = PostgresStore.listingCondition(filter)
    let sql = "SELECT count(*) FROM run_overview o WHERE \(condition.sql)"
    let values = condition.arguments
    return try read {
      Int(try session.integer(sql.numberingPlaceholders(), PostgresBindings(values)) ?? 0)
    }
  }

  /// The WHERE clause of a listing: the filter, and runs in the trash left out unless the
  /// filter names `lifecycle`.
  ///
  /// Written on `runs.deleted_at`, not on the view's `lifecycle` (a CASE the planner cannot
  /// estimate: it then sorted all 10,000 runs for `track runs`' first 50, 107 ms, against
  /// 0.5 ms walking the primary key).
  static func listingCondition(_ filter: RunFilter?) -> (sql: String, arguments: [StoreValue]) {
    let active = "o.id IN (SELECT d.id FROM runs d WHERE d.deleted_at IS NULL)"
    guard let filter else { return (active, []) }
    let compiled = filter.compile()
    if filter.expression.fields.contains("lifecycle") { return compiled }
    return ("\(active) AND \(compiled.sql)", compiled.arguments)
  }

  public func fieldNames() throws -> RunFieldNames {
    try read {
      RunFieldNames(
        params: Set(try session.rows("SELECT DISTINCT key FROM params") { try $0.string(0) }),
        metrics: Set(
          try session.rows(
            "SELECT name FROM metric_keys k WHERE EXISTS "
              + "(SELECT 1 FROM metric_latest l WHERE l.key_id = k.id)"
          ) { try $0.string(0) }))
    }
  }

  /// Fills params and latest metrics, two queries per listing. A run's matrix summaries
  /// (acc, bwt, fwt, forgetting) win over metrics of the same names.
  private func attachDetails(
    to summaries: inout [RunSummary], withMatrix hasMatrix: Set<RunID>
  ) throws {
    guard !summaries.isEmpty else { return }
    var index: [RunID: Int] = [:]
    for (offset, summary) in summaries.enumerated() { index[summary.id] = offset }
    var ids = PostgresBindings()
    ids.append(summaries.map(\.id))
    for (run, key, value) in try session.rows(
      "SELECT run_id, key, value, number FROM params WHERE run_id = ANY($1::bigint[])", ids,
      { row in
        (
          try row.int64(0), try row.string(1),
          row.isNull(3) ? ParamValue.text(try row.string(2)) : .number(try row.double(3))
        )
      })
    {
      guard let offset = index[run] else { continue }
      summaries[offset].params[key] = value
    }
    for (run, name, value) in try session.rows(
      """
      SELECT l.run_id, k.name, l.value FROM metric_latest l
      JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = ANY($1::bigint[])
      """, ids, { (try $0.int64(0), try $0.string(1), try $0.metricValue(2)) })
    {
      guard let offset = index[run] else { continue }
      if hasMatrix.contains(run), RunField.summaries.contains(name) { continue }
      summaries[offset].summary[name] = value
    }
  }

  /// Finds a run by id, name, UUID prefix, `latest` or `latest~N` (N runs before the latest).
  /// A name several runs share means the newest of them, and `NAME~N` the one N before it.
  public func resolveRun(_ reference: String) throws -> Run {
    let text = reference.trimmingCharacters(in: .whitespaces)
    return try read {
      if text == "latest" || text.hasPrefix("latest~") {
        let back = text == "latest" ? 0 : Int(text.dropFirst("latest~".count))
        guard let back, back >= 0 else {
          throw TrackingError(
            .runNotFound, "'\(reference)' is not a run reference: use latest or latest~N.")
        }
        let id = try session.integer(
          "SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $1",
          arguments(.integer(Int64(back))))
        guard let id else {
          let count = try session.integer("SELECT count(*) FROM runs") ?? 0
          throw TrackingError(
            .runNotFound,
            "'\(reference)' does not exist: the store \(url.redacted) has \(count) run(s).")
        }
        return try runRow(id)
      }
      // An all-digit reference is an id first; a UUID can start with digits too, so when no
      // run has that id it is tried as a UUID prefix below (names cannot be all digits).
      if !text.isEmpty, text.allSatisfy(\.isNumber), let id = Int64(text) {
        do {
          return try runRow(id)
        } catch let error as TrackingError where error.code == .runNotFound {
          if text.count < 4 { throw error }
        }
      }
      let named = """
        SELECT \(PostgresStore.runColumns) \(PostgresStore.runFrom) WHERE r.name = $1
        ORDER BY r.created_at DESC, r.id DESC LIMIT 1 OFFSET $2
        """
      if let newest = try session.first(
        named, arguments(.text(text), .integer(0)), PostgresStore.decodeRun)
      {
        return newest
      }
      if let tilde = text.lastIndex(of: "~"), let back = Int(text[text.index(after: tilde)...]),
        back >= 0, tilde != text.startIndex
      {
        let name = String(text[..<tilde])
        if let earlier = try session.first(
          named, arguments(.text(name), .integer(Int64(back))), PostgresStore.decodeRun)
        {
          return earlier
        }
        let count =
          try session.integer("SELECT count(*) FROM runs WHERE name = $1", arguments(.text(name)))
          ?? 0
        if count > 0 {
          throw TrackingError(
            .runNotFound,
            "'\(reference)' does not exist: "
              + (count == 1
                ? "only one run is named '\(name)'; name it '\(name)'."
                : "\(count) run(s) are named '\(name)' (\(name) is the newest, "
                  + "\(name)~\(count - 1) the oldest)."))
        }
      }
      let hex = text.lowercased()
      if hex.count >= 4, hex.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
        // A range of the unique index (uuid is COLLATE "C"): every UUID that starts with
        // `hex` (lowercase hex and '-', all below '~').
        let byUUID = try session.rows(
          """
          SELECT \(PostgresStore.runColumns) \(PostgresStore.runFrom)
          WHERE r.uuid >= $1 AND r.uuid < $2 ORDER BY r.id
          """, arguments(.text(hex), .text(hex + "~")), PostgresStore.decodeRun)
        if byUUID.count == 1 { return byUUID[0] }
        if byUUID.count > 1 { throw ambiguity(reference, byUUID) }
      }
      throw TrackingError(
        .runNotFound,
        "No run matches '\(reference)' in \(url.redacted) (tried id, name and UUID prefix of "
          + "4+ characters). `track runs` lists the runs.")
    }
  }

  private func ambiguity(_ reference: String, _ runs: [Run]) -> TrackingError {
    let formatter = ISO8601DateFormatter()
    let lines = runs.prefix(20).map {
      "  id \($0.id)  \($0.name)  \($0.uuid.prefix(8))  \($0.status.rawValue)  "
        + formatter.string(from: $0.createdAt)
    }
    let more = runs.count > 20 ? "\n  … and \(runs.count - 20) more" : ""
    return TrackingError(
      .ambiguousRun,
      "'\(reference)' matches \(runs.count) runs; name one by id or a longer UUID prefix:\n"
        + lines.joined(separator: "\n") + more)
  }
}
