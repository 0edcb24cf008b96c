import Foundation

/// HTML text built by appending: escaping is the only thing it knows. Pages write their
/// markup directly (no template language), so what a page shows is what its code says.
struct HTML {
  private(set) var text = ""

  init(capacity: Int = 16_384) { text.reserveCapacity(capacity) }

  /// Markup as given (the caller's own tags).
  mutating func raw(_ markup: String) { text += markup }

  /// Text, escaped for an element's content or an attribute's value.
  mutating func text(_ value: String) { text += HTML.escape(value) }

  /// `<tag attributes>content</tag>` with `content` escaped.
  mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ content: String) {
    open(tag, attributes)
    text(content)
    text += "</\(tag)>"
  }

  /// `<tag attributes>`, each value escaped.
  mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
    text += "<\(tag)"
    for (name, value) in attributes { text += " \(name)=\"\(HTML.escape(value))\"" }
    text += ">"
  }

  mutating func close(_ tag: String) { text += "</\(tag)>" }

  mutating func append(_ other: HTML) { text += other.text }

  /// `&`, `<`, `>`, `"` and `'` as entities: safe in content and in quoted attributes.
  static func escape(_ value: String) -> String {
    guard value.contains(where: { "&<>\"'".contains($0) }) else { return value }
    var out = ""
    out.reserveCapacity(value.utf8.count + 16)
    for character in value {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }

  /// A query string value, percent-encoded.
  static func query(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
  }
}

/// Colours that stay apart for the common kinds of colour blindness: Okabe & Ito's
/// palette (2008) for lines, viridis for the matrix, a blue–orange scale for deltas.
enum Palette {
  /// One colour per run or task, the same across every chart of a page.
  static let lines = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
  ]

  static func line(_ index: Int) -> String { lines[index % lines.count] }

  /// Dash patterns past the eighth series, so a ninth line differs from the first.
  static func dash(_ index: Int) -> String? {
    switch (index / lines.count) % 3 {
    case 0: return nil
    case 1: return "6 3"
    default: return "2 2"
    }
  }

  private static let viridis: [(Double, Double, Double)] = [
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
  ]

  /// Viridis at `t` in 0...1 and whether text on it should be dark.
  static func sequential(_ t: Double) -> (String, Bool) {
    let clamped = min(1, max(0, t.isFinite ? t : 0))
    let position = clamped * Double(viridis.count - 1)
    let low = Int(position.rounded(.down))
    let high = min(viridis.count - 1, low + 1)
    let f = position - Double(low)
    let (a, b) = (viridis[low], viridis[high])
    let rgb = (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    return (hex(rgb), clamped > 0.55)
  }

  /// Blue (negative) through white to orange (positive), `t` in -1...1.
  static func diverging(_ t: Double) -> String {
    let clamped = min(1, max(-1, t.isFinite ? t : 0))
    let end: (Double, Double, Double) = clamped < 0 ? (0, 114, 178) : (213, 94, 0)
    let f = abs(clamped)
    return hex((255 + (end.0 - 255) * f, 255 + (end.1 - 255) * f, 255 + (end.2 - 255) * f))
  }

  private static func hex(_ rgb: (Double, Double, Double)) -> String {
    func byte(_ value: Double) -> String {
      let clamped = Int(min(255, max(0, value.rounded())))
      let digits = String(clamped, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }
    return "#" + byte(rgb.0) + byte(rgb.1) + byte(rgb.2)
  }
}
