import Foundation

/// The runs of a sweep (`track sweep SPEC --grid key=[a,b] … --seeds N`): every
/// combination of the grid's values × every seed, each a run of its own.
///
/// ```swift
/// let plan = try SweepPlan(
///   name: "lr-grid", grid: ["optimizer.lr=[0.01,0.05]", "strategy.memory_size=[200,500]"],
///   seeds: [11, 12, 13])
/// plan.cells.count  // 12
/// plan.cells[0].name  // "lr-grid lr=0.01 memory_size=200 seed=11"
/// ```
public struct SweepPlan: Equatable, Sendable {
  /// One run of the sweep: the `--set` overrides, the seed, and the run's name.
  public struct Cell: Equatable, Sendable {
    /// (key, YAML value) for `track run --set key=value`, in grid order.
    public var overrides: [(key: String, value: String)]
    /// The run's seed.
    public var seed: Int
    /// The run's name: the sweep's, the values and the seed (what a re-run matches).
    public var name: String

    public static func == (lhs: Cell, rhs: Cell) -> Bool {
      lhs.name == rhs.name && lhs.seed == rhs.seed
        && lhs.overrides.map(\.key) == rhs.overrides.map(\.key)
        && lhs.overrides.map(\.value) == rhs.overrides.map(\.value)
    }
  }

  /// The sweep's name: its runs carry the tag `sweep=NAME`.
  public var name: String
  /// The grid, key by key, in the order given.
  public var axes: [(key: String, values: [String])]
  /// The seeds each combination runs with.
  public var seeds: [Int]
  /// Every combination × seed, the first axis varying slowest and the seed fastest.
  public var cells: [Cell]

  public static func == (lhs: SweepPlan, rhs: SweepPlan) -> Bool {
    lhs.name == rhs.name && lhs.seeds == rhs.seeds && lhs.cells == rhs.cells
  }

  /// Parses every `--grid key=[a,b,…]` and makes the cells; throws `.invalidRequest` naming
  /// the option for a malformed grid, a repeated key, or no seeds.
  public init(name: String, grid: [String], seeds: [Int]) throws {
    guard !seeds.isEmpty else {
      throw ExperimentError(.invalidRequest, "--seeds: give a count (3) or a list (11,12,13)")
    }
    self.name = name
    self.seeds = seeds
    axes = try grid.map(SweepPlan.axis)
    let keys = axes.map(\.key)
    if let repeated = keys.first(where: { key in keys.filter { $0 == key }.count > 1 }) {
      throw ExperimentError(
        .invalidRequest, "--grid \(repeated) is given twice; list all its values in one --grid")
    }
    // A key's last part names it in run names, unless two keys share it.
    let labels = keys.map { key -> String in
      let short = String(key.split(separator: ".").last ?? Substring(key))
      let clashes = keys.filter { $0.split(separator: ".").last.map(String.init) == short }.count
      return clashes > 1 ? key : short
    }
    var combinations: [[(key: String, value: String)]] = [[]]
    for axis in axes {
      combinations = combinations.flatMap { prefix in
        axis.values.map { prefix + [(axis.key, $0)] }
      }
    }
    cells = combinations.flatMap { overrides in
      seeds.map { seed in
        let values = zip(labels, overrides).map { "\($0)=\($1.value)" }
        let name = ([name] + values + ["seed=\(seed)"]).joined(separator: " ")
        return Cell(overrides: overrides, seed: seed, name: name)
      }
    }
  }

  /// `--seeds`: a count N (seeds `first`, `first`+1, … `first`+N−1, `first` being the
  /// spec's seed) or a comma-separated list.
  public static func seeds(_ text: String, first: Int) throws -> [Int] {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if !trimmed.contains(","), let count = Int(trimmed) {
      guard count >= 1 else {
        throw ExperimentError(.invalidRequest, "--seeds must be at least 1 (got \(count))")
      }
      return (0..<count).map { first + $0 }
    }
    let parts = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let seeds = parts.compactMap { Int($0) }
    guard seeds.count == parts.count, !seeds.isEmpty, seeds.allSatisfy({ $0 >= 0 }) else {
      throw ExperimentError(
        .invalidRequest,
        "--seeds \(text): give a count (3) or a list of seeds that are not negative (11,12,13)")
    }
    guard Set(seeds).count == seeds.count else {
      throw ExperimentError(.invalidRequest, "--seeds \(text) repeats a seed")
    }
    return seeds
  }

  /// `key=[a,b,c]` (or `key=a` for one value) as the key and each value's YAML text; commas
  /// inside brackets or quotes belong to the value (`model.hidden=[[128],[256,256]]`).
  static func axis(_ text: String) throws -> (key: String, values: [String]) {
    guard let equals = text.firstIndex(of: "=") else {
      throw ExperimentError(
        .invalidRequest, "--grid \(text): write key=[a,b,…], e.g. --grid optimizer.lr=[0.01,0.05]")
    }
    let key = text[..<equals].trimmingCharacters(in: .whitespaces)
    var list = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
    guard !key.isEmpty, !list.isEmpty else {
      throw ExperimentError(
        .invalidRequest, "--grid \(text): write key=[a,b,…], e.g. --grid optimizer.lr=[0.01,0.05]")
    }
    guard list.hasPrefix("[") else { return (key, [list]) }
    guard list.hasSuffix("]") else {
      throw ExperimentError(.invalidRequest, "--grid \(key): the list of values lacks its closing ]")
    }
    list = String(list.dropFirst().dropLast())
    var values: [String] = []
    var current = ""
    var depth = 0
    var quote: Character?
    for character in list {
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "'" || character == "\"" {
        quote = character
      } else if character == "[" || character == "{" {
        depth += 1
      } else if character == "]" || character == "}" {
        depth -= 1
      } else if character == "," && depth == 0 {
        values.append(current.trimmingCharacters(in: .whitespaces))
        current = ""
        continue
      }
      current.append(character)
    }
    values.append(current.trimmingCharacters(in: .whitespaces))
    guard depth == 0, quote == nil, !values.contains(where: \.isEmpty) else {
      throw ExperimentError(
        .invalidRequest,
        "--grid \(key): cannot read the values [\(list)]; separate them with commas, e.g. [0.01,0.05]")
    }
    guard Set(values).count == values.count else {
      throw ExperimentError(.invalidRequest, "--grid \(key) lists a value twice")
    }
    return (key, values)
  }
}
