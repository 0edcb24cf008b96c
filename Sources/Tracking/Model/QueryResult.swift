/// The rows of a read-only SQL query (`track query`).
public struct QueryResult: Equatable, Sendable {
  /// Column names in order.
  public var columns: [String]
  /// Rows; each has one value per column.
  public var rows: [[SQLValue]]
}
