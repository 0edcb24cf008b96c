import Foundation
import Yams

/// A spec file (YAML or JSON) parsed into a tree that remembers lines, checked key by key
/// against the allowed keys, with `--set key.path=value` overrides applied.
///
/// ```swift
/// var document = try SpecDocument.load(path: "Examples/split-fashion-mnist-replay.yaml")
/// try document.apply(override: "training.epochs=2", allowedKeys: ExperimentSpec.allowedKeys)
/// try document.validateKeys(ExperimentSpec.allowedKeys)
/// let spec = try document.decode(ExperimentSpec.self)
/// ```
public struct SpecDocument {
  /// The file as named on the command line (used in messages).
  public var file: String
  /// The parsed tree.
  public var root: SpecNode

  /// Reads and parses `path`; JSON parses too (YAML 1.2 reads JSON).
  public static func load(path: String) throws -> SpecDocument {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw SpecError(
        .fileNotFound, "spec file '\(path)' does not exist; pass the path of a YAML or JSON spec")
    }
    if isDirectory.boolValue {
      throw SpecError(
        .unreadable, "'\(path)' is a folder; pass a spec file in it, e.g. "
          + "Examples/split-fashion-mnist-replay.yaml")
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    if size > SpecLimits.maximumFileBytes {
      throw SpecError(
        .unreadable, "spec file '\(path)' is \(size) bytes; a spec is at most "
          + "\(SpecLimits.maximumFileBytes) bytes (1 MiB): pass the spec, not a data file")
    }
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else {
      throw SpecError(.unreadable, "cannot read spec file '\(path)' as UTF-8 text")
    }
    return try parse(text, file: path)
  }

  /// Parses spec text; `file` names it in messages.
  public static func parse(_ text: String, file: String) throws -> SpecDocument {
    try SpecLimits.check(text, file: file)
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw SpecError(.invalidSyntax, "\(file): \(describe(error))")
    }
    guard let node else {
      throw SpecError(.notAMapping, "\(file): the spec is empty; it needs at least data.source")
    }
    let root = try convert(node, file: file)
    guard case .mapping = root else {
      throw SpecError(
        .notAMapping, "\(file):\(root.line ?? 1): the spec must be a mapping of sections "
          + "(data, scenario, model, ...), not \(root.preview)")
    }
    return SpecDocument(file: file, root: root)
  }

  /// Where a YAML syntax error is, in words.
  private static func describe(_ error: YamlError) -> String {
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let where_ = context.map { " \($0.text)" } ?? ""
      return "line \(mark.line), column \(mark.column): invalid YAML: \(problem)\(where_)"
    default:
      return "invalid YAML: \(error)"
    }
  }

  private static func convert(_ node: Node, file: String) throws -> SpecNode {
    switch node {
    case .scalar(let scalar):
      let plain = scalar.style == .plain || scalar.style == .any
      return .scalar(scalar.string, plain: plain, line: scalar.mark?.line)
    case .sequence(let sequence):
      return .sequence(try sequence.map { try convert($0, file: file) }, line: sequence.mark?.line)
    case .mapping(let mapping):
      var pairs: [(key: String, value: SpecNode, line: Int?)] = []
      var seen = Set<String>()
      for (key, value) in mapping {
        guard case .scalar(let keyScalar) = key else {
          throw SpecError(
            .invalidSyntax, "\(file):\(key.mark?.line ?? 0): keys must be plain names")
        }
        guard seen.insert(keyScalar.string).inserted else {
          throw SpecError(
            .invalidSyntax,
            "\(file):\(keyScalar.mark?.line ?? 0): duplicate key '\(keyScalar.string)'; "
              + "keep one of them")
        }
        pairs.append((keyScalar.string, try convert(value, file: file), keyScalar.mark?.line))
      }
      return .mapping(pairs, line: mapping.mark?.line)
    }
  }

  /// `file:line` for a key path, or the file alone when the line is unknown.
  public func location(of path: [String]) -> String {
    if let node = root.node(at: path), node.line == nil, !path.isEmpty {
      return "\(file) (--set \(path.joined(separator: ".")))"
    }
    guard let line = root.line(of: path) else { return file }
    return "\(file):\(line)"
  }

  /// Rejects every key not in `allowedKeys` (by section path, "" = top level), naming the
  /// key, the file and line, and the keys that are allowed there.
  public func validateKeys(_ allowedKeys: [String: [String]]) throws {
    try validate(root, path: [], allowedKeys: allowedKeys)
  }

  private func validate(_ node: SpecNode, path: [String], allowedKeys: [String: [String]]) throws {
    let section = path.joined(separator: ".")
    guard let allowed = allowedKeys[section] else { return }
    guard case .mapping(let pairs, _) = node else {
      let name = section.isEmpty ? "the spec" : "'\(section)'"
      throw SpecError(
        .wrongType, "\(location(of: path)): \(name) must be a mapping of keys "
          + "(\(allowed.joined(separator: ", "))), not \(node.preview)")
    }
    for pair in pairs {
      let keyPath = path + [pair.key]
      guard allowed.contains(pair.key) else {
        let dotted = keyPath.joined(separator: ".")
        var message = "\(location(of: keyPath)): unknown key '\(dotted)'"
        if let guess = SpecDocument.closest(to: pair.key, in: allowed) {
          message += " (did you mean '\(guess)'?)"
        }
        let place = section.isEmpty ? "at the top level" : "in '\(section)'"
        message += "; allowed \(place): \(allowed.joined(separator: ", "))"
        throw SpecError(.unknownKey, message)
      }
      try validate(pair.value, path: keyPath, allowedKeys: allowedKeys)
    }
  }

  /// Applies one `key.path=value` override; the value is read as YAML (`[64, 64]` works).
  public mutating func apply(override: String, allowedKeys: [String: [String]]) throws {
    guard let equals = override.firstIndex(of: "=") else {
      throw SpecError(
        .invalidOverride, "--set '\(override)': expected key.path=value, e.g. training.epochs=2")
    }
    let key = String(override[..<equals]).trimmingCharacters(in: .whitespaces)
    let text = String(override[override.index(after: equals)...])
    let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
      throw SpecError(.invalidOverride, "--set '\(override)': the key path is empty or has '..'")
    }
    for depth in path.indices {
      let section = path[..<depth].joined(separator: ".")
      guard let allowed = allowedKeys[section] else {
        throw SpecError(
          .unknownKey, "--set \(key): '\(section)' is a value, not a section with keys")
      }
      guard allowed.contains(path[depth]) else {
        let place = section.isEmpty ? "at the top level" : "in '\(section)'"
        var message = "--set \(key): unknown key '\(path[...depth].joined(separator: "."))'"
        if let guess = SpecDocument.closest(to: path[depth], in: allowed) {
          message += " (did you mean '\(guess)'?)"
        }
        throw SpecError(
          .unknownKey, message + "; allowed \(place): \(allowed.joined(separator: ", "))")
      }
    }
    let value: SpecNode
    do {
      value = try SpecDocument.parseValue(text, key: key)
    } catch let error as SpecError {
      throw error
    } catch {
      throw SpecError(.invalidOverride, "--set \(key): the value '\(text)' is not valid YAML")
    }
    root = root.setting(value, at: path)
  }

  /// Parses an override's value as a YAML scalar, list or mapping.
  private static func parseValue(_ text: String, key: String) throws -> SpecNode {
    try SpecLimits.check(text, file: "--set \(key)")
    guard let node = try Yams.compose(yaml: text) else {
      return .scalar("", plain: true, line: nil)
    }
    return try convert(node, file: "--set").strippingLines()
  }

  /// Decodes the tree as `type`, turning decoding errors into messages with key and line.
  ///
  /// A plain scalar where a string is expected (`name: 2024`) is read as that string.
  public func decode<T: Decodable>(_ type: T.Type) throws -> T {
    var tree = root
    for _ in 0..<64 {
      let data = try JSONSerialization.data(withJSONObject: tree.foundationObject)
      do {
        return try JSONDecoder().decode(T.self, from: data)
      } catch let DecodingError.typeMismatch(expected, context)
        where expected == String.self
      {
        let path = SpecDocument.keys(context.codingPath)
        guard let quoted = tree.quotingScalar(at: path) else {
          throw describe(.typeMismatch(expected, context))
        }
        tree = quoted
      } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
        // Foundation's decoder reports a number an `Int` cannot hold (1.5, 1e30,
        // 99999999999999999999) as "not valid JSON" at no key: find the number.
        throw numberProblem(in: tree, decoding: T.self) ?? describe(.dataCorrupted(context))
      } catch let error as DecodingError {
        throw describe(error)
      }
    }
    throw SpecError(.wrongType, "\(file): too many values of the wrong type")
  }

  /// The number in `tree` that a whole-number key cannot hold, as a message naming the key.
  /// Replacing the first k candidates by 0 decodes once k reaches the last culprit, so a
  /// bisection over k finds one in O(log n) decodes (a list of 50,000 fractions stays fast).
  private func numberProblem<T: Decodable>(in tree: SpecNode, decoding _: T.Type) -> SpecError? {
    let candidates = tree.nonIntegerNumbers
    func decodes(replacingFirst count: Int) -> Bool {
      let paths = Set(candidates.prefix(count).map(\.path))
      guard let data = try? JSONSerialization.data(
        withJSONObject: tree.replacingScalars(at: paths, with: "0").foundationObject)
      else { return false }
      do {
        _ = try JSONDecoder().decode(T.self, from: data)
      } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
        return false
      } catch {}
      return true
    }
    guard !candidates.isEmpty, decodes(replacingFirst: candidates.count) else { return nil }
    var (low, high) = (1, candidates.count)
    while low < high {
      let middle = (low + high) / 2
      if decodes(replacingFirst: middle) { high = middle } else { low = middle + 1 }
    }
    let (path, text) = candidates[low - 1]
    let dotted = path.joined(separator: ".")
    let number = Double(text) ?? 0
    guard number == number.rounded() else {
      return SpecError(
        .wrongType, "\(location(of: path)): wrong type for '\(dotted)': expected an "
          + "integer, got \(text)")
    }
    return SpecError(
      .invalidValue, "\(location(of: path)): '\(dotted)' is \(text), outside the range "
        + "of whole numbers (\(Int.min) to \(Int.max)); use a smaller number")
  }

  /// A decoding error as a `SpecError` naming the key path and its line.
  public func describe(_ error: DecodingError) -> SpecError {
    switch error {
    case .typeMismatch(let expected, let context):
      let path = SpecDocument.keys(context.codingPath)
      let got = root.node(at: path)?.preview ?? "null"
      return SpecError(
        .wrongType, "\(location(of: path)): wrong type for '\(path.joined(separator: "."))': "
          + "expected \(SpecDocument.describe(expected)), got \(got)")
    case .valueNotFound(let expected, let context):
      let path = SpecDocument.keys(context.codingPath)
      return SpecError(
        .wrongType, "\(location(of: path)): '\(path.joined(separator: "."))' has no value; "
          + "expected \(SpecDocument.describe(expected))")
    case .keyNotFound(let key, let context):
      let path = SpecDocument.keys(context.codingPath)
      let dotted = (path + [key.stringValue]).joined(separator: ".")
      return SpecError(.invalidValue, "\(location(of: path)): missing required key '\(dotted)'")
    case .dataCorrupted(let context):
      let path = SpecDocument.keys(context.codingPath)
      return SpecError(
        .invalidValue, "\(location(of: path)): '\(path.joined(separator: "."))': "
          + context.debugDescription)
    @unknown default:
      return SpecError(.invalidValue, "\(file): \(error)")
    }
  }

  private static func keys(_ codingPath: [CodingKey]) -> [String] {
    codingPath.map { key in key.intValue.map(String.init) ?? key.stringValue }
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: return "an integer"
    case is Double.Type, is Float.Type: return "a number"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    default:
      let name = String(describing: type)
      if name.hasPrefix("Array") { return "a list" }
      if name.hasPrefix("Dictionary") { return "a mapping" }
      return name
    }
  }

  /// The allowed key closest to a misspelt one (edit distance <= 2), for "did you mean".
  public static func closest(to key: String, in allowed: [String]) -> String? {
    let scored = allowed.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }
    return scored.min(by: { $0.1 < $1.1 })?.0
  }

  private static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      previous = current
    }
    return previous[b.count]
  }
}

extension SpecNode {
  /// The same tree without lines (values that came from the command line).
  public func strippingLines() -> SpecNode {
    switch self {
    case .scalar(let text, let plain, _): return .scalar(text, plain: plain, line: nil)
    case .sequence(let items, _): return .sequence(items.map { $0.strippingLines() }, line: nil)
    case .mapping(let pairs, _):
      return .mapping(pairs.map { ($0.key, $0.value.strippingLines(), nil) }, line: nil)
    }
  }
}
