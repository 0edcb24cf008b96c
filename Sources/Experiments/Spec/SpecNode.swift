import Foundation

/// A spec file's tree with the line of every key, so errors can point into the file.
public indirect enum SpecNode {
  /// A scalar as written; `plain` is false for quoted strings (never numbers or booleans).
  case scalar(String, plain: Bool, line: Int?)
  /// Key/value pairs in file order, each with the key's line.
  case mapping([(key: String, value: SpecNode, line: Int?)], line: Int?)
  /// A list.
  case sequence([SpecNode], line: Int?)

  /// Where the node starts (1-based), when known.
  public var line: Int? {
    switch self {
    case .scalar(_, _, let line), .mapping(_, let line), .sequence(_, let line): return line
    }
  }

  /// The value at `path`, when present.
  public func node(at path: [String]) -> SpecNode? {
    guard let first = path.first else { return self }
    guard case .mapping(let pairs, _) = self,
      let pair = pairs.first(where: { $0.key == first })
    else {
      if case .sequence(let items, _) = self, let index = Int(first), items.indices.contains(index)
      {
        return items[index].node(at: Array(path.dropFirst()))
      }
      return nil
    }
    return pair.value.node(at: Array(path.dropFirst()))
  }

  /// The line of the key at `path` (or of its nearest present ancestor).
  public func line(of path: [String]) -> Int? {
    var node = self
    var best = line
    for component in path {
      if case .mapping(let pairs, _) = node, let pair = pairs.first(where: { $0.key == component })
      {
        best = pair.line ?? best
        node = pair.value
      } else if case .sequence(let items, _) = node, let index = Int(component),
        items.indices.contains(index)
      {
        best = items[index].line ?? best
        node = items[index]
      } else {
        break
      }
    }
    return best
  }

  /// A copy with `value` set at `path`, creating mappings on the way.
  public func setting(_ value: SpecNode, at path: [String]) -> SpecNode {
    guard let first = path.first else { return value }
    var pairs: [(key: String, value: SpecNode, line: Int?)] = []
    var line: Int? = nil
    if case .mapping(let existing, let mappingLine) = self {
      pairs = existing
      line = mappingLine
    }
    let rest = Array(path.dropFirst())
    if let index = pairs.firstIndex(where: { $0.key == first }) {
      pairs[index].value = pairs[index].value.setting(value, at: rest)
    } else {
      let empty = SpecNode.mapping([], line: nil)
      pairs.append((key: first, value: empty.setting(value, at: rest), line: nil))
    }
    return .mapping(pairs, line: line)
  }

  /// A copy where the plain scalar at `path` is treated as a string (quoted).
  public func quotingScalar(at path: [String]) -> SpecNode? {
    guard let first = path.first else {
      if case .scalar(let text, true, let line) = self { return .scalar(text, plain: false, line: line) }
      return nil
    }
    let rest = Array(path.dropFirst())
    switch self {
    case .mapping(var pairs, let line):
      guard let index = pairs.firstIndex(where: { $0.key == first }),
        let changed = pairs[index].value.quotingScalar(at: rest)
      else { return nil }
      pairs[index].value = changed
      return .mapping(pairs, line: line)
    case .sequence(var items, let line):
      guard let index = Int(first), items.indices.contains(index),
        let changed = items[index].quotingScalar(at: rest)
      else { return nil }
      items[index] = changed
      return .sequence(items, line: line)
    case .scalar:
      return nil
    }
  }

  /// The same tree with the scalars at `paths` replaced by the plain scalar `text`, in one
  /// pass (`prefix` is this node's path).
  public func replacingScalars(at paths: Set<[String]>, with text: String, prefix: [String] = [])
    -> SpecNode
  {
    if paths.isEmpty { return self }
    switch self {
    case .scalar(_, _, let line):
      return paths.contains(prefix) ? .scalar(text, plain: true, line: line) : self
    case .mapping(let pairs, let line):
      return .mapping(
        pairs.map {
          ($0.key, $0.value.replacingScalars(at: paths, with: text, prefix: prefix + [$0.key]),
            $0.line)
        }, line: line)
    case .sequence(let items, let line):
      return .sequence(
        items.enumerated().map { index, item in
          item.replacingScalars(at: paths, with: text, prefix: prefix + [String(index)])
        }, line: line)
    }
  }

  /// Paths of the plain scalars that read as numbers but not as `Int` (1.5, 1e30, or a
  /// whole number too large), with their text.
  public var nonIntegerNumbers: [(path: [String], text: String)] {
    switch self {
    case .scalar(let text, let plain, _):
      return plain && SpecNode.resolvePlain(text) is Double ? [([], text)] : []
    case .mapping(let pairs, _):
      return pairs.flatMap { pair in
        pair.value.nonIntegerNumbers.map { ([pair.key] + $0.path, $0.text) }
      }
    case .sequence(let items, _):
      return items.enumerated().flatMap { index, item in
        item.nonIntegerNumbers.map { ([String(index)] + $0.path, $0.text) }
      }
    }
  }

  /// Foundation JSON objects (for JSONSerialization): plain scalars become numbers, booleans
  /// or null the way YAML 1.2's core schema reads them; quoted scalars stay strings.
  public var foundationObject: Any {
    switch self {
    case .scalar(let text, let plain, _):
      return plain ? SpecNode.resolvePlain(text) : text
    case .mapping(let pairs, _):
      var object: [String: Any] = [:]
      for pair in pairs { object[pair.key] = pair.value.foundationObject }
      return object
    case .sequence(let items, _):
      return items.map(\.foundationObject)
    }
  }

  /// YAML 1.2 core schema resolution of an unquoted scalar.
  public static func resolvePlain(_ text: String) -> Any {
    switch text {
    case "", "~", "null", "Null", "NULL": return NSNull()
    case "true", "True", "TRUE": return true
    case "false", "False", "FALSE": return false
    default: break
    }
    if let integer = Int(text) { return integer }
    if text.first.map({ "+-.0123456789".contains($0) }) == true, let number = Double(text),
      number.isFinite
    {
      return number
    }
    return text
  }

  /// A short description of the node's value for error messages.
  public var preview: String {
    switch self {
    case .scalar(let text, let plain, _): return plain ? text : "\"\(text)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    }
  }
}
