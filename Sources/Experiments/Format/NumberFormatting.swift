import Foundation

/// How numbers are written in tables: short, stable and locale-free.
public enum NumberFormatting {
  /// A metric value: 4 decimals in the usual range (so columns line up on the point),
  /// scientific notation outside it.
  public static func value(_ number: Double?) -> String {
    guard let number else { return "" }
    if number.isNaN { return "nan" }
    if number.isInfinite { return number > 0 ? "inf" : "-inf" }
    let magnitude = abs(number)
    if magnitude >= 1e5 || (magnitude < 1e-4 && number != 0) {
      return String(format: "%.4g", number)
    }
    return String(format: "%.4f", number)
  }

  /// A number for programs (CSV): the shortest decimal that reads back as the same Double,
  /// empty when absent or not finite (not measured), as JSON's `null`.
  public static func exact(_ number: Double?) -> String {
    guard let number, number.isFinite else { return "" }
    return JSONValue.format(number)
  }

  /// What a table shows for a score that was not measured (nil or NaN: the store keeps a NaN
  /// as NULL), the same for a matrix cell and a summary.
  public static let notMeasured = "—"

  /// A score in a table: `value`, or `notMeasured` when nil or NaN.
  public static func score(_ number: Double?) -> String {
    guard let number, !number.isNaN else { return notMeasured }
    return value(number)
  }

  /// A signed difference: "+0.0123", "-1.5000", "0".
  public static func delta(_ number: Double?) -> String {
    guard let number else { return "" }
    if number == 0 { return "0" }
    let text = value(number)
    return number > 0 ? "+" + text : text
  }

  /// A signed relative change in percent, "" when the base is zero.
  public static func relative(_ delta: Double?, base: Double?) -> String {
    guard let delta, let base, base != 0, delta.isFinite else { return "" }
    let percent = delta / abs(base) * 100
    if percent == 0 { return "0%" }
    return (percent > 0 ? "+" : "") + String(format: "%.1f%%", percent)
  }

  /// A duration for people: "850ms", "12.3s", "4m05s", "2h03m".
  public static func duration(_ seconds: TimeInterval?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0 else { return "" }
    if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let total = Int(seconds.rounded())
    if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
    return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
  }

  /// A byte count for people: "512 B", "1.5 KiB", "3.2 MiB".
  public static func bytes(_ count: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(count) B" : String(format: "%.1f ", value) + units[unit]
  }
}
