import Foundation

/// What an identifier in a filter or sort refers to, and its SQL over `run_overview o`.
struct RunField {
  let name: String

  init(_ name: String) { self.name = name }

  static let columns: [String: String] = [
    "id": "o.id", "uuid": "o.uuid", "name": "o.name", "experiment": "o.experiment",
    "status": "o.status", "created": "o.created", "ended": "o.ended",
    "duration": "o.duration_s", "host": "o.host", "git_commit": "o.git_commit",
    "continued_from": "o.continued_from",
  ]

  /// The matrix summaries: a run with a matrix reads them from it; a run without one reads
  /// the latest value of a metric of that name, as `RunSummary.summary` (and `track runs`) do.
  static let summaries: Set<String> = ["acc", "bwt", "fwt", "forgetting"]

  /// SQL for the field; `numeric` picks a param's number rather than its text.
  func sql(numeric: Bool, arguments: inout [SQLValue]) -> String {
    if let column = RunField.columns[name] { return column }
    if RunField.summaries.contains(name) {
      arguments.append(.text(name))
      return """
        (CASE WHEN o.matrix_metric IS NULL THEN (SELECT l.value FROM metric_latest l \
        JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = o.id AND k.name = ?) \
        ELSE o.\(name) END)
        """
    }
    let paramColumn = numeric ? "p.number" : "p.value"
    func paramSQL(_ key: String) -> String {
      arguments.append(.text(key))
      return "(SELECT \(paramColumn) FROM params p WHERE p.run_id = o.id AND p.key = ?)"
    }
    func metricSQL(_ key: String) -> String {
      arguments.append(.text(key))
      return """
        (SELECT l.value FROM metric_latest l JOIN metric_keys k ON k.id = l.key_id \
        WHERE l.run_id = o.id AND k.name = ?)
        """
    }
    if let key = name.dropPrefix("tag.") {
      arguments.append(.text(key))
      return "(SELECT t.value FROM tags t WHERE t.run_id = o.id AND t.key = ?)"
    }
    if let key = name.dropPrefix("param.") ?? name.dropPrefix("params.") { return paramSQL(key) }
    if let key = name.dropPrefix("metric.") ?? name.dropPrefix("metrics.") {
      return metricSQL(key)
    }
    let paramValue = paramSQL(name)
    let metricValue = metricSQL(name)
    return "COALESCE(\(paramValue), \(metricValue))"
  }

  /// SQL for sorting: params sort by number when numeric, else text.
  func sortSQL(arguments: inout [SQLValue]) -> String {
    if RunField.columns[name] != nil || RunField.summaries.contains(name) {
      return sql(numeric: true, arguments: &arguments)
    }
    if name.hasPrefix("tag.") { return sql(numeric: false, arguments: &arguments) }
    var numericArguments: [SQLValue] = []
    let numeric = sql(numeric: true, arguments: &numericArguments)
    var textArguments: [SQLValue] = []
    let text = sql(numeric: false, arguments: &textArguments)
    arguments += numericArguments + textArguments
    return "COALESCE(\(numeric), \(text))"
  }
}

extension String {
  /// The rest after `prefix`, when the string starts with it and the rest is non-empty.
  func dropPrefix(_ prefix: String) -> String? {
    guard hasPrefix(prefix), count > prefix.count else { return nil }
    return String(dropFirst(prefix.count))
  }
}
