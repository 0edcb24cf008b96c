import Foundation

/// One sort key of a run listing.
public struct RunSort: Equatable, Sendable {
  /// Any identifier the filter language accepts (`acc`, `created`, `optimizer.lr`, `tag.x`).
  public var key: String
  /// Largest first.
  public var descending: Bool

  /// Creates a sort key.
  public init(key: String, descending: Bool = false) {
    self.key = key
    self.descending = descending
  }

  /// Parses "acc", "-acc" (descending), "acc:desc" or "acc:asc".
  public static func parse(_ text: String) throws -> RunSort {
    var key = text.trimmingCharacters(in: .whitespaces)
    var descending = false
    if key.hasPrefix("-") {
      descending = true
      key.removeFirst()
    } else if key.hasSuffix(":desc") {
      descending = true
      key.removeLast(5)
    } else if key.hasSuffix(":asc") {
      key.removeLast(4)
    }
    guard !key.isEmpty, !key.contains(where: { $0.isWhitespace }) else {
      throw TrackingError(
        .invalidFilter,
        "Sort key '\(text)' is invalid: use a field name, '-field' or 'field:desc' "
          + "(e.g. -acc).")
    }
    return RunSort(key: key, descending: descending)
  }
}
