import Experiments

/// The result of a maintenance command (`init`, `check`, `gc`, `rm`) as named fields: one
/// JSON object, or a `field,value` table in CSV and Markdown. The table format is the
/// command's own sentence for people.
struct FieldList {
  var fields: [(String, JSONValue)]

  /// `format` rendered; `text` is what the table format prints.
  func rendered(_ format: OutputFormat, text: @autoclosure () -> String) -> String {
    switch format {
    case .table: return text()
    case .json: return JSONValue.object(fields).rendered()
    case .csv: return table.csv()
    case .md: return table.markdown()
    }
  }

  /// Two columns, `field` and `value`; an array gives one row per item.
  var table: Table {
    var table = Table(columns: [Table.Column("field"), Table.Column("value")])
    for (key, value) in fields {
      switch value {
      case .array(let items): for item in items { table.append(texts: [key, FieldList.text(item)]) }
      default: table.append(texts: [key, FieldList.text(value)])
      }
    }
    return table
  }

  /// A scalar as a table cell (strings unquoted, null empty).
  static func text(_ value: JSONValue) -> String {
    switch value {
    case .null: return ""
    case .string(let text): return text
    default: return String(value.rendered().dropLast())
    }
  }
}
