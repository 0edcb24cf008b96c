/// The rows of a read-only query (`track query`), in the backend's SQL dialect.
public struct QueryResult: Equatable, Sendable {
  /// Column names in order.
  public var columns: [String]
  /// Rows; each has one value per column.
  public var rows: [[StoreValue]]

  /// Creates the value (backends build it from their rows).
  public init(
    columns: [String],
    rows: [[StoreValue]]
  ) {
    self.columns = columns
    self.rows = rows
  }
}
