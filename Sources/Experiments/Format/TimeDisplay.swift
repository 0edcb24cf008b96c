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
    let t = utc(date)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
      t.tm_hour, t.tm_min, t.tm_sec)
  }

  /// Local-free short form for tables: "2026-11-30 00:12".
  public static func short(_ date: Date?) -> String {
    guard let date else { return "" }
    if stable { return "2000-01-01 00:00" }
    let t = utc(date)
    return String(
      format: "%04d-%02d-%02d %02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
      t.tm_min)
  }

  /// The calendar fields of `date` in UTC. The C library's gmtime_r, not a Foundation
  /// formatter: making a formatter per row was two thirds of `track runs` at 10,000 runs.
  private static func utc(_ date: Date) -> tm {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var fields = tm()
    gmtime_r(&seconds, &fields)
    return fields
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
