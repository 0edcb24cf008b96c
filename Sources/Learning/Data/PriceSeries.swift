import Foundation

/// A dated series of values read from a CSV file (e.g. daily closing prices).
public struct PriceSeries: Sendable {
  /// Date text of each value (as in the file, e.g. "2017-03-01").
  public var dates: [String]
  /// The values, oldest first.
  public var values: [Double]

  /// Reads `column` and `dateColumn` from the CSV at `path`, sorted oldest first;
  /// `shouldStop` is asked every 4,096 lines (`LearningError.cancelled` when it turns true).
  public init(
    path: String, column: String, dateColumn: String, shouldStop: () -> Bool = { false }
  ) throws {
    let table = try CSVTable(path: path, shouldStop: shouldStop)
    let valueIndex = try table.columnIndex(column)
    let dateIndex = try table.columnIndex(dateColumn)
    var pairs = [(String, Double)]()
    for row in table.rows.indices {
      let value = Double(try table.number(row: row, column: valueIndex))
      guard value > 0 else {
        throw LearningError.invalidData(
          file: path, line: table.lines[row], column: column,
          message: "prices must be positive (got \(value))")
      }
      pairs.append((table.text(row: row, column: dateIndex), value))
    }
    // ISO dates sort as text; a stable sort keeps rows of equal dates in file order.
    let sorted = pairs.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
    dates = sorted.map(\.element.0)
    values = sorted.map(\.element.1)
  }

  /// The period key of date `index`: "2017" (year), "2017-Q1" (quarter), "2017-03" (month).
  public func periodKey(_ index: Int, period: String) -> String {
    let date = dates[index]
    let year = String(date.prefix(4))
    let month = Int(date.dropFirst(5).prefix(2)) ?? 1
    switch period {
    case "month": return String(format: "%@-%02d", year, month)
    case "quarter": return "\(year)-Q\((month - 1) / 3 + 1)"
    default: return year
    }
  }

  /// Windows of `window` past values and the next value, as percent changes from the last
  /// value of the window; `targetIndices[k]` is the index of the predicted value of sample k.
  /// Throws `LearningError.invalidData` for a window below 1.
  public func windows(_ window: Int) throws -> (dataset: Dataset, targetIndices: [Int]) {
    var features = [Float]()
    var targets = [Float]()
    var indices = [Int]()
    guard values.count > window else {
      return (try Dataset(features: .floats([]), featureCount: window, targets: []), [])
    }
    for i in window..<values.count {
      let last = values[i - 1]
      for k in (i - window)..<i { features.append(Float((values[k] / last - 1) * 100)) }
      targets.append(Float((values[i] / last - 1) * 100))
      indices.append(i)
    }
    return (try Dataset(features: .floats(features), featureCount: window, targets: targets), indices)
  }
}
