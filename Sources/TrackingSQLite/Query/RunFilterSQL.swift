import Foundation
import Tracking

extension RunFilter {
  /// SQL for a WHERE clause over `run_overview o`, with its arguments.
  func compile() -> (sql: String, arguments: [StoreValue]) {
    var arguments: [StoreValue] = []
    let sql = RunFilter.compile(expression, into: &arguments)
    return (sql, arguments)
  }

  private static func compile(_ expression: Expression, into arguments: inout [StoreValue]) -> String
  {
    switch expression {
    case .and(let left, let right):
      let l = compile(left, into: &arguments)
      return "(\(l) AND \(compile(right, into: &arguments)))"
    case .or(let left, let right):
      let l = compile(left, into: &arguments)
      return "(\(l) OR \(compile(right, into: &arguments)))"
    case .not(let inner):
      return "NOT COALESCE(\(compile(inner, into: &arguments)), 0)"
    case .compare(let field, let comparison, let literal):
      let numeric: Bool
      let value: StoreValue
      switch literal {
      case .number(let number):
        numeric = true
        value = .real(number)
      case .text(let text):
        numeric = false
        value = .text(text)
      }
      let column = RunField(field).sql(numeric: numeric, arguments: &arguments)
      arguments.append(value)
      // GLOB: case-sensitive, `*` and `?`, as a shell matches file names.
      let operation = comparison == .matches ? "GLOB" : comparison.rawValue
      return "(\(column) \(operation) ?)"
    }
  }
}

/// The SQL of a `RunField` over `run_overview o`.
extension RunField {
  /// The `run_overview` column of each `RunField.column`.
  static let sqlColumns: [String: String] = [
    "id": "o.id", "uuid": "o.uuid", "name": "o.name", "experiment": "o.experiment",
    "status": "o.status", "created": "o.created", "ended": "o.ended",
    "duration": "o.duration_s", "host": "o.host", "git_commit": "o.git_commit",
    "continued_from": "o.continued_from", "experiment_id": "o.experiment_id",
    "lifecycle": "o.lifecycle", "created_at": "o.created_at", "ended_at": "o.ended_at",
  ]

  /// SQL for the field; `numeric` picks a param's number rather than its text.
  func sql(numeric: Bool, arguments: inout [StoreValue]) -> String {
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
    switch self {
    case .column(let name):
      return RunField.sqlColumns[name] ?? "NULL"
    case .summary(let name):
      let latest = metricSQL(name)
      return "(CASE WHEN o.matrix_metric IS NULL THEN \(latest) ELSE o.\(name) END)"
    case .tag(let key):
      arguments.append(.text(key))
      return "(SELECT t.value FROM tags t WHERE t.run_id = o.id AND t.key = ?)"
    case .param(let key):
      return paramSQL(key)
    case .metric(let key):
      return metricSQL(key)
    case .paramOrMetric(let key):
      let paramValue = paramSQL(key)
      let metricValue = metricSQL(key)
      return "COALESCE(\(paramValue), \(metricValue))"
    }
  }

  /// SQL for sorting: params sort by number when numeric, else text.
  func sortSQL(arguments: inout [StoreValue]) -> String {
    switch self {
    case .column, .summary, .metric: return sql(numeric: true, arguments: &arguments)
    case .tag: return sql(numeric: false, arguments: &arguments)
    case .param, .paramOrMetric:
      var numericArguments: [StoreValue] = []
      let numeric = sql(numeric: true, arguments: &numericArguments)
      var textArguments: [StoreValue] = []
      let text = sql(numeric: false, arguments: &textArguments)
      arguments += numericArguments + textArguments
      return "COALESCE(\(numeric), \(text))"
    }
  }
}
