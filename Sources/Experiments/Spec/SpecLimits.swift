import CYaml
import Foundation

/// The bounds a spec's text must stay within before it is built into values: its size, how
/// deep it nests and how many values it expands to.
///
/// Yams composes recursively (a file nested 10,000 deep overflowed the stack) and an alias
/// stands for its whole anchored value (9 levels of 9 aliases expand to 9^9 values), so the
/// YAML events are counted first, by libyaml's own iterative parser, with every alias
/// counting the values it expands to. A real spec is a few sections deep and a few dozen
/// values long.
public enum SpecLimits {
  /// The largest spec file read (a spec is a few hundred bytes).
  public static let maximumFileBytes = 1 << 20
  /// The deepest nesting of mappings and lists (a spec needs 3: section, key, list).
  public static let maximumDepth = 64
  /// The most values (scalars, lists, mappings) a spec may expand to, aliases included.
  public static let maximumValues = 100_000

  /// Throws unless `text` nests at most `maximumDepth` deep and expands to at most
  /// `maximumValues` values. Syntax errors are left to the parser that builds the tree (up
  /// to the error, the text was within bounds).
  public static func check(_ text: String, file: String) throws {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return }
    defer { yaml_parser_delete(&parser) }
    var bytes = Array(text.utf8)
    try bytes.withUnsafeMutableBufferPointer { buffer in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      var counter = ValueCounter(file: file)
      while true {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { return }
        defer { yaml_event_delete(&event) }
        if event.type == YAML_STREAM_END_EVENT { return }
        try counter.count(event)
      }
    }
  }

  /// Counts values per open mapping or list, with the size of every anchored value.
  private struct ValueCounter {
    let file: String
    /// Open mappings and lists: values so far (the container itself included), its anchor.
    var open: [(values: Int, anchor: String?)] = []
    /// Values each anchor expands to.
    var anchors: [String: Int] = [:]
    /// Values of finished top-level documents.
    var documents = 0

    init(file: String) { self.file = file }

    mutating func count(_ event: yaml_event_t) throws {
      let line = Int(event.start_mark.line) + 1
      switch event.type {
      case YAML_SCALAR_EVENT:
        try add(1, anchor: SpecLimits.name(event.data.scalar.anchor), line: line)
      case YAML_ALIAS_EVENT:
        let name = SpecLimits.name(event.data.alias.anchor)
        try add(name.flatMap { anchors[$0] } ?? 1, anchor: nil, line: line)
      case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
        let anchor = event.type == YAML_SEQUENCE_START_EVENT
          ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
        guard open.count < SpecLimits.maximumDepth else {
          throw SpecError(
            .invalidSyntax, "\(file):\(line): the spec nests more than "
              + "\(SpecLimits.maximumDepth) mappings or lists deep; a spec needs 3 "
              + "(section, key, list): remove the extra nesting")
        }
        open.append((1, SpecLimits.name(anchor)))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let closed = open.popLast() else { return }
        try add(closed.values, anchor: closed.anchor, line: line)
      default:
        return
      }
    }

    /// Adds a value of `size` values (a closed container counts itself and its contents)
    /// to the innermost open container, remembering its size under `anchor`.
    private mutating func add(_ size: Int, anchor: String?, line: Int) throws {
      if let anchor { anchors[anchor] = size }
      let total = (open.last?.values ?? documents) + size
      guard total <= SpecLimits.maximumValues else {
        throw SpecError(
          .invalidSyntax, "\(file):\(line): the spec expands to more than "
            + "\(SpecLimits.maximumValues) values (an alias counts every value it repeats); "
            + "a spec has a few dozen: write the values out or remove the aliases")
      }
      if open.isEmpty { documents = total } else { open[open.count - 1].values = total }
    }
  }

  private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
  }
}
