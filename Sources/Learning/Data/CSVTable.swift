import Foundation

/// A CSV file read as text: a header and rows of cells, each row knowing its line number.
///
/// Quoted cells ("a, b" and "" for a quote) are understood; every row must have as many
/// cells as the header, and errors name the file, line and column.
public struct CSVTable: Sendable {
  /// The file the table came from (for error messages).
  public let file: String
  /// Column names from the first line.
  public let header: [String]
  /// Cells of each data row.
  public let rows: [[String]]
  /// 1-based line number of each data row in the file.
  public let lines: [Int]

  /// Reads and checks the CSV file at `path`; `shouldStop` is asked every 4,096 lines
  /// (`LearningError.cancelled` when it turns true).
  public init(path: String, shouldStop: () -> Bool = { false }) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "cannot read the file; check the path")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw LearningError.invalidData(
        file: path, line: nil, column: nil, message: "not UTF-8 text")
    }
    try self.init(text: text, file: path, shouldStop: shouldStop)
  }

  /// Parses CSV `text`; `file` names it in errors; `shouldStop` is asked every 4,096 lines.
  public init(text: String, file: String, shouldStop: () -> Bool = { false }) throws {
    self.file = file
    var header: [String]?
    var rows = [[String]]()
    var lines = [Int]()
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      if lineNumber % 4096 == 0, shouldStop() { throw LearningError.cancelled }
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let cells = try CSVTable.cells(of: line, file: file, line: lineNumber)
      guard let names = header else {
        header = cells.map { $0.trimmingCharacters(in: .whitespaces) }
        continue
      }
      guard cells.count == names.count else {
        throw LearningError.invalidData(
          file: file, line: lineNumber, column: nil,
          message: "has \(cells.count) cells but the header has \(names.count) columns")
      }
      rows.append(cells)
      lines.append(lineNumber)
    }
    guard let names = header else {
      throw LearningError.invalidData(
        file: file, line: nil, column: nil, message: "empty file; expected a header line")
    }
    guard !rows.isEmpty else {
      throw LearningError.invalidData(
        file: file, line: nil, column: nil, message: "has a header but no data rows")
    }
    self.header = names
    self.rows = rows
    self.lines = lines
  }

  private static func cells(of line: Substring, file: String, line number: Int) throws -> [String] {
    var cells = [String]()
    var cell = ""
    var quoted = false
    var index = line.startIndex
    while index < line.endIndex {
      let c = line[index]
      if quoted {
        if c == "\"" {
          let next = line.index(after: index)
          if next < line.endIndex && line[next] == "\"" {
            cell.append("\"")
            index = next
          } else {
            quoted = false
          }
        } else {
          cell.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        cells.append(cell)
        cell = ""
      } else {
        cell.append(c)
      }
      index = line.index(after: index)
    }
    if quoted {
      throw LearningError.invalidData(
        file: file, line: number, column: nil, message: "unterminated quoted cell")
    }
    cells.append(cell)
    return cells
  }

  /// Index of the column `name`; the error lists the columns there are.
  public func columnIndex(_ name: String) throws -> Int {
    guard let index = header.firstIndex(of: name) else {
      throw LearningError.invalidData(
        file: file, line: 1, column: name,
        message: "no such column; the header has \(header.joined(separator: ", "))")
    }
    return index
  }

  /// The cell at (`row`, `column`) as a number; a non-numeric cell names line and column.
  public func number(row: Int, column: Int) throws -> Float {
    let text = rows[row][column].trimmingCharacters(in: .whitespaces)
    guard let value = Float(text), value.isFinite else {
      throw LearningError.invalidData(
        file: file, line: lines[row], column: header[column],
        message: "'\(text)' is not a number")
    }
    return value
  }

  /// The cell at (`row`, `column`) as a class label: a whole number in `0..<classes`; any
  /// other cell is an error naming the line and column.
  public func label(row: Int, column: Int, classes: Int) throws -> Float {
    let value = try number(row: row, column: column)
    guard value == value.rounded(), value >= 0, value < Float(classes) else {
      throw LearningError.invalidData(
        file: file, line: lines[row], column: header[column],
        message: "'\(text(row: row, column: column))' is not a class label: labels are whole"
          + " numbers 0–\(classes - 1) for \(classes) classes; set data.classes for more, or"
          + " data.regression: true for real-valued targets")
    }
    return value
  }

  /// The cell at (`row`, `column`) trimmed.
  public func text(row: Int, column: Int) -> String {
    rows[row][column].trimmingCharacters(in: .whitespaces)
  }
}
