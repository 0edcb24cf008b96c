import Foundation

/// How dates and durations print. `TRACK_STABLE_TIMES=1` prints fixed placeholders so that
/// golden tests and documentation examples do not depend on the clock.
public enum TimeDisplay {
  /// Placeholders instead of real times (set by `TRACK_STABLE_TIMES=1`).
  public static let stable = ProcessInfo.processInfo.environment["TRACK_STABLE_TIMES"] == "1"

  /// ISO 8601 in UTC, seconds precision: "2026-11-30T00:12:03Z".
  public static func timestamp(_ date: Date?) -> String {
    guard let date else { return "" }
    if stable { return "2000-01-01T00:00:00Z" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  /// Local-free short form for tables: "2026-11-30 00:12".
  public static func short(_ date: Date?) -> String {
    guard let date else { return "" }
    if stable { return "2000-01-01 00:00" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
  }

  /// A duration for people ("12.3s"), or the placeholder.
  public static func duration(_ seconds: TimeInterval?) -> String {
    guard seconds != nil else { return "" }
    if stable { return "1.0s" }
    return NumberFormatting.duration(seconds)
  }

  /// A duration in seconds for JSON (to the millisecond, as the store's times).
  public static func seconds(_ seconds: TimeInterval?) -> JSONValue {
    guard let seconds else { return .null }
    return stable ? .number(1) : .number((seconds * 1000).rounded() / 1000)
  }

  /// A duration in seconds for CSV, the same number as the JSON ("" when unknown).
  public static func secondsText(_ seconds: TimeInterval?) -> String {
    guard case .number(let value) = self.seconds(seconds) else { return "" }
    return NumberFormatting.exact(value)
  }
}
