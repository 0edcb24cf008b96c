import Foundation
import Tracking

/// The filter language in PostgreSQL's dialect, over `run_overview o`. Written with `?`
/// placeholders (numbered `$1`… by `numberingPlaceholders` before it runs).
///
/// Where PostgreSQL's types are stricter than SQLite's, a comparison of a number with a text
/// field (or text with a number field) compares text: `tag.epochs = 5` matches the tag "5".
/// `~` (a pattern: `*`, `?`, `[…]`, case-sensitive, as SQLite's GLOB) becomes an anchored
/// regular expression.
extension RunFilter {
  /// SQL for a WHERE clause over `run_overview o`, with its arguments.
  func compile() -> (sql: String, arguments: [StoreValue]) {
    var arguments: [StoreValue] = []
    let sql = RunFilter.compile(expression, into: &arguments)
    return (sql, arguments)
  }

  private static func compile(_ expression: Expression, into arguments: inout [StoreValue])
    -> String
  {
    switch expression {
    case .and(let left, let right):
      let l = compile(left, into: &arguments)
      return "(\(l) AND \(compile(right, into: &arguments)))"
    case .or(let left, let right):
      let l = compile(left, into: &arguments)
      return "(\(l) OR \(compile(right, into: &arguments)))"
    case .not(let inner):
      return "NOT COALESCE(\(compile(inner, into: &arguments)), false)"
    case .compare(let name, let comparison, let literal):
      let field = RunField(name)
      switch literal {
      case .number(let number):
        let column = field.sql(numeric: true, arguments: &arguments)
        if field.isNumeric(numeric: true) {
          arguments.append(.real(number))
          return "(\(column) \(comparison.rawValue) ?)"
        }
        arguments.append(.text(StoreValue.format(number)))
        return "(\(column) \(comparison == .matches ? "~" : comparison.rawValue) ?)"
      case .text(let text):
        var column = field.sql(numeric: false, arguments: &arguments)
        if field.isNumeric(numeric: false) { column = "(\(column))::text" }
        if comparison == .matches {
          arguments.append(.text(RunFilter.regex(glob: text)))
          return "(\(column) ~ ?)"
        }
        arguments.append(.text(text))
        return "(\(column) \(comparison.rawValue) ?)"
      }
    }
  }

  /// An anchored POSIX regular expression that matches what SQLite's GLOB matches with
  /// `pattern`: `*` any text, `?` one character, `[…]` (and `[^…]`) a set, all else itself.
  static func regex(glob pattern: String) -> String {
    var regex = "^"
    var characters = Array(pattern)[...]
    while let character = characters.popFirst() {
      switch character {
      case "*": regex += ".*"
      case "?": regex += "."
      case "[":
        // A set runs to the next `]` that is not its first member; unclosed, `[` is itself.
        var set = ""
        var rest = characters
        if rest.first == "^" { set.append(rest.removeFirst()) }
        if rest.first == "]" { set.append(rest.removeFirst()) }
        while let member = rest.first, member != "]" {
          if member == "\\" { set.append("\\") }
          set.append(rest.removeFirst())
        }
        if rest.first == "]" {
          rest.removeFirst()
          regex += "[\(set)]"
          characters = rest
        } else {
          regex += "\\["
        }
      default:
        if "\\.^$|()+{}]".contains(character) { regex += "\\" }
        regex.append(character)
      }
    }
    return regex + "$"
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
  /// The columns that hold numbers (the others hold text).
  static let numericColumns: Set<String> = [
    "id", "duration", "continued_from", "experiment_id", "created_at", "ended_at",
  ]

  /// Whether `sql(numeric:)` is a number (else text).
  func isNumeric(numeric: Bool) -> Bool {
    switch self {
    case .column(let name): return RunField.numericColumns.contains(name)
    case .summary, .metric: return true
    case .tag: return false
    case .param, .paramOrMetric: return numeric
    }
  }

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
      return numeric
        ? "COALESCE(\(paramValue), \(metricValue))"
        : "COALESCE(\(paramValue), (\(metricValue))::text)"
    }
  }

  /// ORDER BY terms for sorting by the field, missing values last either way. A param sorts
  /// numbers before text ascending (after it descending), as SQLite orders mixed values.
  func orderings(descending: Bool, arguments: inout [StoreValue]) -> [String] {
    let direction = descending ? "DESC" : "ASC"
    switch self {
    case .column, .summary, .metric, .tag:
      var once: [StoreValue] = []
      let expression = sql(numeric: true, arguments: &once)
      arguments += once + once
      return ["(\(expression)) IS NULL", "\(expression) \(direction)"]
    case .param, .paramOrMetric:
      var numericArguments: [StoreValue] = []
      let number = sql(numeric: true, arguments: &numericArguments)
      var textArguments: [StoreValue] = []
      let text = sql(numeric: false, arguments: &textArguments)
      arguments += numericArguments + textArguments + numericArguments + numericArguments
        + textArguments
      return [
        "((\(number)) IS NULL AND (\(text)) IS NULL)",
        "(\(number)) IS \(descending ? "NOT " : "")NULL",
        "\(number) \(direction)", "\(text) \(direction)",
      ]
    }
  }
}
