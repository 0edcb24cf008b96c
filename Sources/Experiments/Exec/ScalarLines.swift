import Foundation
import Tracking

/// Reads numeric scalars from a program's output lines (`track exec`): every token
/// `KEY=NUMBER` or `KEY: NUMBER` in a line is a point of metric KEY.
///
/// - KEY starts with a letter or `_` and holds letters, digits, `_ . / -`; NUMBER is a
///   decimal (`0.25`, `-1e-3`, `nan`, `inf`); tokens are separated by blanks, `,`, `;` or `|`.
/// - A `step` key on the same line sets the step of the line's other points; otherwise the
///   step of a point is how many times its key appeared before (0, 1, 2, ...).
/// - `epoch` and `task` keys are points too, and are also kept as the other points' epoch
///   and task.
///
/// ```swift
/// var scalars = ScalarLines()
/// scalars.points(in: "epoch 1: loss=0.25 acc=0.91")   // loss@0, acc@0
/// scalars.points(in: "step=10 loss: 0.2")             // step@..., loss@10
/// ```
public struct ScalarLines: Sendable {
  private var counts: [String: Int] = [:]
  /// Lines longer than this are passed through but not read (a progress bar, a data dump).
  public static let maximumLineLength = 4096
  /// Keys per line read at most.
  public static let maximumPointsPerLine = 64

  public init() {}

  /// The points in one line (without its newline).
  public mutating func points(in line: String, at time: Date = Date()) -> [MetricPoint] {
    guard line.utf8.count <= ScalarLines.maximumLineLength else { return [] }
    let pairs = ScalarLines.pairs(in: line)
    guard !pairs.isEmpty else { return [] }
    let step = pairs.first { $0.key == "step" }.map { Int(exactly: $0.value.rounded()) ?? 0 }
    let epoch = pairs.first { $0.key == "epoch" }.flatMap { Int(exactly: $0.value) }
    let task = pairs.first { $0.key == "task" }.flatMap { Int(exactly: $0.value) }
    var points: [MetricPoint] = []
    for (key, value) in pairs.prefix(ScalarLines.maximumPointsPerLine) {
      let seen = counts[key, default: 0]
      counts[key] = seen + 1
      let pointStep = key == "step" ? seen : (step ?? seen)
      points.append(
        MetricPoint(key: key, value: value, step: pointStep, epoch: epoch, task: task, wallTime: time))
    }
    return points
  }

  /// The `KEY=NUMBER` / `KEY: NUMBER` pairs of a line, in order (a key twice: the first).
  static func pairs(in line: String) -> [(key: String, value: Double)] {
    var result: [(key: String, value: Double)] = []
    var seen: Set<String> = []
    let characters = Array(line)
    var index = 0
    func isKeyStart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_") }
    func isKeyCharacter(_ c: Character) -> Bool {
      c.isASCII && (c.isLetter || c.isNumber || "_./-".contains(c))
    }
    func isSeparator(_ c: Character) -> Bool { c.isWhitespace || ",;|()[]{}".contains(c) }
    while index < characters.count {
      // A key must start a token.
      guard isKeyStart(characters[index]), index == 0 || isSeparator(characters[index - 1]) else {
        index += 1
        continue
      }
      let keyStart = index
      while index < characters.count, isKeyCharacter(characters[index]) { index += 1 }
      var key = String(characters[keyStart..<index])
      while key.hasSuffix(".") || key.hasSuffix("/") || key.hasSuffix("-") { key.removeLast() }
      guard index < characters.count else { break }
      var cursor = index
      if characters[cursor] == "=" {
        cursor += 1
      } else if characters[cursor] == ":" {
        cursor += 1
        while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
      } else {
        continue
      }
      let valueStart = cursor
      while cursor < characters.count, !isSeparator(characters[cursor]) { cursor += 1 }
      var text = String(characters[valueStart..<cursor])
      if text.hasSuffix("%") { text.removeLast() }
      index = cursor
      guard let value = ScalarLines.number(text), !key.isEmpty, key.count <= 250 else { continue }
      if seen.insert(key).inserted { result.append((key, value)) }
    }
    return result
  }

  static func number(_ text: String) -> Double? {
    switch text.lowercased() {
    case "nan": return .nan
    case "inf", "+inf", "infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    default:
      guard !text.isEmpty, text.allSatisfy({ "0123456789+-.eE".contains($0) }),
        text.contains(where: \.isNumber)
      else { return nil }
      return Double(text)
    }
  }
}
