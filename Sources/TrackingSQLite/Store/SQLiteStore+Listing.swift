import Foundation
import Tracking

extension SQLiteStore {
  /// Runs matching `filter`, ordered by `sort` (default: newest first), at most `limit`.
  ///
  /// ```swift
  /// try store.runs(where: RunFilter.parse("status = finished and acc > 0.8"),
  ///                sort: [RunSort(key: "acc", descending: true)], limit: 10)
  /// ```
  public func runs(
    where filter: RunFilter? = nil, sort: [RunSort] = [], limit: Int? = nil, offset: Int = 0
  ) throws -> [RunSummary] {
    var arguments: [StoreValue] = []
    var sql = """
      SELECT o.id, o.uuid, o.name, o.experiment, o.status, r.created_at, o.duration_s,
             o.task_count, o.acc, o.bwt, o.fwt, o.forgetting, o.continued_from
      FROM run_overview o JOIN runs r ON r.id = o.id
      """
    let condition = SQLiteStore.listingCondition(filter)
    sql += "\nWHERE \(condition.sql)"
    arguments += condition.arguments
    guard offset >= 0 else {
      throw TrackingError(.invalidValue, "The offset must be 0 or more, not \(offset).")
    }
    var orderings: [String] = []
    for key in sort {
      var sortArguments: [StoreValue] = []
      let expression = RunField(key.key).sortSQL(arguments: &sortArguments)
      // Missing values sort last in either direction; the expression appears twice.
      orderings.append("(\(expression)) IS NULL, \(expression) \(key.descending ? "DESC" : "ASC")")
      arguments += sortArguments + sortArguments
    }
    orderings.append("o.id \(sort.isEmpty ? "DESC" : "ASC")")
    sql += "\nORDER BY " + orderings.joined(separator: ", ")
    if let limit {
      guard limit >= 0 else {
        throw TrackingError(.invalidValue, "The limit must be 0 or more, not \(limit).")
      }
      sql += "\nLIMIT \(limit)"
    } else if offset > 0 {
      sql += "\nLIMIT -1"
    }
    if offset > 0 { sql += " OFFSET \(offset)" }
    return try withDatabase { database in
      var withMatrix: Set<RunID> = []
      var summaries = try Statement(database: database, sql: sql).map(arguments) { row in
        var summary: [String: Double] = [:]
        if !row.isNull(7) {
          withMatrix.insert(row.int64(0))
          for (index, name) in [(8, "acc"), (9, "bwt"), (10, "fwt"), (11, "forgetting")] {
            if let value = row.optionalDouble(index) { summary[name] = value }
          }
        }
        return RunSummary(
          id: row.int64(0), uuid: row.string(1), name: row.string(2),
          experiment: row.optionalString(3), status: RunStatus(rawValue: row.string(4)) ?? .crashed,
          createdAt: Date(timeIntervalSince1970: row.double(5)), duration: row.optionalDouble(6),
          params: [:], summary: summary, continuedFrom: row.optionalInt64(12))
      }
      try attachDetails(to: &summaries, withMatrix: withMatrix, in: database)
      return summaries
    }
  }

  public func countRuns(where filter: RunFilter?) throws -> Int {
    let condition = SQLiteStore.listingCondition(filter)
    let sql = "SELECT count(*) FROM run_overview o WHERE \(condition.sql)"
    let arguments = condition.arguments
    return try withDatabase { database in
      Int(try Statement(database: database, sql: sql).first(arguments) { $0.int64(0) } ?? 0)
    }
  }

  /// The WHERE clause of a listing: the filter, and runs in the trash left out unless the
  /// filter names `lifecycle`.
  static func listingCondition(_ filter: RunFilter?) -> (sql: String, arguments: [StoreValue]) {
    let active = "o.lifecycle = 'active'"
    guard let filter else { return (active, []) }
    let compiled = filter.compile()
    if filter.expression.fields.contains("lifecycle") { return compiled }
    return ("\(active) AND \(compiled.sql)", compiled.arguments)
  }

  public func fieldNames() throws -> RunFieldNames {
    try withDatabase { database in
      RunFieldNames(
        params: Set(try database.statement("SELECT DISTINCT key FROM params").map { $0.string(0) }),
        metrics: Set(
          try database.statement(
            "SELECT name FROM metric_keys k WHERE EXISTS "
              + "(SELECT 1 FROM metric_latest l WHERE l.key_id = k.id)"
          ).map { $0.string(0) }))
    }
  }

  /// Fills params and latest metrics, a few queries per listing. A run's matrix summaries
  /// (acc, bwt, fwt, forgetting) win over metrics of the same names.
  private func attachDetails(
    to summaries: inout [RunSummary], withMatrix hasMatrix: Set<RunID>, in database: Database
  ) throws {
    guard !summaries.isEmpty else { return }
    var index: [RunID: Int] = [:]
    for (offset, summary) in summaries.enumerated() { index[summary.id] = offset }
    for chunk in stride(from: 0, to: summaries.count, by: 500) {
      let ids = summaries[chunk..<min(chunk + 500, summaries.count)].map { StoreValue.integer($0.id) }
      let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
      try Statement(
        database: database,
        sql: "SELECT run_id, key, value, number FROM params WHERE run_id IN (\(marks))"
      ).forEach(ids) { row in
        guard let offset = index[row.int64(0)] else { return }
        summaries[offset].params[row.string(1)] =
          row.isNull(3) ? .text(row.string(2)) : .number(row.double(3))
      }
      try Statement(
        database: database,
        sql: """
          SELECT l.run_id, k.name, l.value FROM metric_latest l
          JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id IN (\(marks))
          """
      ).forEach(ids) { row in
        let run = row.int64(0)
        guard let offset = index[run] else { return }
        let name = row.string(1)
        if hasMatrix.contains(run), RunField.summaries.contains(name) { return }
        summaries[offset].summary[name] = row.metricValue(2)
      }
    }
  }

  /// Finds a run by id, name, UUID prefix, `latest` or `latest~N` (N runs before the latest).
  /// A name several runs share means the newest of them, and `NAME~N` the one N before it.
  ///
  /// Throws `.ambiguousRun` listing the candidates when a UUID prefix matches several runs,
  /// and `.runNotFound` when none matches.
  public func resolveRun(_ reference: String) throws -> Run {
    let text = reference.trimmingCharacters(in: .whitespaces)
    return try withDatabase { database in
      if text == "latest" || text.hasPrefix("latest~") {
        let back = text == "latest" ? 0 : Int(text.dropFirst("latest~".count))
        guard let back, back >= 0 else {
          throw TrackingError(
            .runNotFound, "'\(reference)' is not a run reference: use latest or latest~N.")
        }
        let id = try database.integer(
          "SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
          [.integer(Int64(back))])
        guard let id else {
          let count = try database.integer("SELECT count(*) FROM runs") ?? 0
          throw TrackingError(
            .runNotFound,
            "'\(reference)' does not exist: the store \(path) has \(count) run(s).")
        }
        return try runRow(id, in: database)
      }
      // An all-digit reference is an id first; a UUID can start with digits too, so when no
      // run has that id it is tried as a UUID prefix below (names cannot be all digits).
      if !text.isEmpty, text.allSatisfy(\.isNumber), let id = Int64(text) {
        do {
          return try runRow(id, in: database)
        } catch let error as TrackingError where error.code == .runNotFound {
          if text.count < 4 { throw error }
        }
      }
      let named = try database.statement(
        """
        SELECT \(SQLiteStore.runColumns) \(SQLiteStore.runFrom) WHERE r.name = ?
        ORDER BY r.created_at DESC, r.id DESC LIMIT 1 OFFSET ?
        """)
      if let newest = try named.first([.text(text), .integer(0)], SQLiteStore.decodeRun) {
        return newest
      }
      if let tilde = text.lastIndex(of: "~"), let back = Int(text[text.index(after: tilde)...]),
        back >= 0, tilde != text.startIndex
      {
        let name = String(text[..<tilde])
        if let earlier = try named.first([.text(name), .integer(Int64(back))], SQLiteStore.decodeRun) {
          return earlier
        }
        let count = try database.integer("SELECT count(*) FROM runs WHERE name = ?", [.text(name)]) ?? 0
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
        let byUUID = try database.statement(
          """
          SELECT \(SQLiteStore.runColumns) \(SQLiteStore.runFrom)
          WHERE r.uuid >= ? AND r.uuid < ? ORDER BY r.id
          """
          // A range of the unique index: every UUID that starts with `hex` (lowercase hex
          // and '-', all below '~').
        ).map([.text(hex), .text(hex + "~")], SQLiteStore.decodeRun)
        if byUUID.count == 1 { return byUUID[0] }
        if byUUID.count > 1 { throw ambiguity(reference, byUUID) }
      }
      throw TrackingError(
        .runNotFound,
        "No run matches '\(reference)' in \(path) (tried id, name and UUID prefix of 4+ "
          + "characters). `track runs` lists the runs.")
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
