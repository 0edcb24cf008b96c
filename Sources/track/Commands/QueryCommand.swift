import Experiments
import ArgumentParser
import Tracking

/// `track query SQL`: read-only SQL over the database (see docs/schema.md).
struct QueryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Run a read-only SQL query (the file is opened read-only; a write is an error).",
    discussion: """
      Example:
        track query 'SELECT name, acc, bwt FROM run_overview ORDER BY acc DESC'
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("One SQL statement.", valueName: "sql"))
  var sql: String

  @Option(help: OutputFormat.help)
  var format: OutputFormat = .table

  func run() throws {
    let opened = try store.openForReading()
    let result = try opened.query(sql)
    if format == .json {
      Output.write(JSONValue.array(result.rows.map { row in
        .object(zip(result.columns, row).map { ($0, QueryCommand.json($1)) })
      }).rendered())
      return
    }
    let numeric = result.columns.indices.map { index in
      !result.rows.isEmpty && result.rows.allSatisfy { row in
        switch row[index] {
        case .integer, .real, .null: return true
        default: return false
        }
      }
    }
    var table = Table(columns: zip(result.columns, numeric).map { Table.Column($0, numeric: $1) })
    for row in result.rows {
      table.append(texts: row.map { value in
        if case .null = value { return format == .table ? "NULL" : "" }
        return value.description
      })
    }
    Output.write(table.rendered(format, terminal: .current))
  }

  /// A SQL value as JSON (blobs as their size).
  static func json(_ value: StoreValue) -> JSONValue {
    switch value {
    case .null: return .null
    case .integer(let number): return .integer(number)
    case .real(let number): return .number(number)
    case .text(let text): return .string(text)
    case .blob(let data): return .string("<\(data.count) bytes>")
    @unknown default: return .null
    }
  }
}
