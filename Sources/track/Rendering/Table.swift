import Experiments
import Foundation

/// Rows and columns that render as an aligned table, CSV or Markdown.
///
/// Numbers are right-aligned; a cell's style colors it on a terminal only.
struct Table {
  /// One column: its title and whether its cells are numbers (right-aligned).
  struct Column {
    var title: String
    var numeric: Bool

    init(_ title: String, numeric: Bool = false) {
      self.title = title
      self.numeric = numeric
    }
  }

  /// One cell: the text and an optional terminal style.
  struct Cell: ExpressibleByStringLiteral {
    var text: String
    var style: Terminal.Style

    init(_ text: String, style: Terminal.Style = .plain) {
      self.text = text
      self.style = style
    }

    init(stringLiteral value: String) { self.init(value) }
  }

  var columns: [Column]
  var rows: [[Cell]] = []

  init(columns: [Column]) { self.columns = columns }

  /// Adds a row (missing trailing cells are empty).
  mutating func append(_ row: [Cell]) { rows.append(row) }

  /// Adds a row of plain strings.
  mutating func append(texts: [String]) { rows.append(texts.map { Cell($0) }) }

  /// The table in `format` (json is rendered by the caller from typed values).
  func rendered(_ format: OutputFormat, terminal: Terminal) -> String {
    switch format {
    case .csv: return csv()
    case .md: return markdown()
    case .table, .json: return aligned(terminal: terminal)
    }
  }

  private func cell(_ row: [Cell], _ index: Int) -> Cell {
    index < row.count ? row[index] : Cell("")
  }

  /// Space-aligned columns with a header rule; numbers right-aligned.
  func aligned(terminal: Terminal) -> String {
    var widths = columns.map { Table.width(of: $0.title) }
    for row in rows {
      for index in columns.indices {
        widths[index] = max(widths[index], Table.width(of: cell(row, index).text))
      }
    }
    func line(_ cells: [Cell], header: Bool) -> String {
      var parts: [String] = []
      for (index, column) in columns.enumerated() {
        let value = cells[index]
        let gap = String(repeating: " ", count: widths[index] - Table.width(of: value.text))
        let isLast = index == columns.count - 1
        let padded: String
        if column.numeric {
          padded = gap + terminal.styled(value.text, value.style)
        } else {
          padded = terminal.styled(value.text, value.style) + (isLast ? "" : gap)
        }
        parts.append(padded)
      }
      return parts.joined(separator: "  ")
    }
    let header = columns.map { Cell($0.title, style: .bold) }
    var out = line(header, header: true) + "\n"
    out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
    for row in rows {
      out += line(columns.indices.map { cell(row, $0) }, header: false) + "\n"
    }
    return out
  }

  /// Columns the aligned table takes (its widest line).
  var width: Int {
    var widths = columns.map { Table.width(of: $0.title) }
    for row in rows {
      for index in columns.indices {
        widths[index] = max(widths[index], Table.width(of: cell(row, index).text))
      }
    }
    return widths.reduce(0, +) + 2 * max(widths.count - 1, 0)
  }

  /// RFC 4180 CSV with a header row.
  func csv() -> String {
    var out = columns.map { Table.csvField($0.title) }.joined(separator: ",") + "\n"
    for row in rows {
      out += columns.indices.map { Table.csvField(cell(row, $0).text) }
        .joined(separator: ",") + "\n"
    }
    return out
  }

  /// A GitHub-flavoured Markdown table; numeric columns right-aligned.
  func markdown() -> String {
    func escape(_ text: String) -> String {
      text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
    var out = "| " + columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
    out += "|" + columns.map { $0.numeric ? " ---: |" : " --- |" }.joined() + "\n"
    for row in rows {
      out += "| " + columns.indices.map { escape(cell(row, $0).text) }.joined(separator: " | ")
        + " |\n"
    }
    return out
  }

  /// One CSV field, quoted when it holds a comma, quote or line break.
  static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
    else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Display width: counts characters (the box and block characters used are one column).
  static func width(of text: String) -> Int { text.count }
}
