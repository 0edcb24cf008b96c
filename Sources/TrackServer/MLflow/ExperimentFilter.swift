import Foundation
import Tracking

/// MLflow's `search_experiments` filter and order: `name = 'x'`, `name LIKE 'vision%'`,
/// `tags.team = 'cv'`, `creation_time > 1700000000000`, joined by AND; order by `name`,
/// `experiment_id`, `creation_time` or `last_update_time`, ASC or DESC. Experiments are few,
/// so the filter runs over the list in memory.
enum ExperimentFilter {
  static func apply(_ text: String, to experiments: [Experiment]) throws -> [Experiment] {
    let tokens = try SearchFilter.tokenize(text)
    var clauses: [(String, String, SearchFilter.Token.Kind)] = []
    var index = 0
    func fail(_ why: String) -> MLflowError {
      MLflowError(.invalidParameterValue, "Error on parsing filter '\(text)': \(why).")
    }
    while index < tokens.count {
      guard index + 2 < tokens.count else {
        throw fail("expected 'KEY OPERATOR VALUE'")
      }
      let key = tokens[index].text
      let op = tokens[index + 1].text.uppercased()
      clauses.append((key, op, tokens[index + 2].kind))
      index += 3
      if index < tokens.count {
        guard case .word(let word) = tokens[index].kind, word.uppercased() == "AND" else {
          throw fail("expected AND between clauses")
        }
        index += 1
      }
    }
    return try experiments.filter { experiment in
      try clauses.allSatisfy { key, op, value in
        try matches(experiment, key: key, op: op, value: value, fail: fail)
      }
    }
  }

  private static func matches(
    _ experiment: Experiment, key: String, op: String, value: SearchFilter.Token.Kind,
    fail: (String) -> MLflowError
  ) throws -> Bool {
    let lowered = key.lowercased()
    if lowered == "creation_time" || lowered == "last_update_time"
      || lowered == "attributes.creation_time" || lowered == "attributes.last_update_time"
    {
      guard case .number(let number) = value else { throw fail("\(key) takes a number") }
      let date = lowered.hasSuffix("creation_time") ? experiment.createdAt : experiment.updatedAt
      let actual = Double(MLflowIDs.milliseconds(date))
      switch op {
      case "=": return actual == number
      case "!=": return actual != number
      case "<": return actual < number
      case "<=": return actual <= number
      case ">": return actual > number
      case ">=": return actual >= number
      default: throw fail("\(op) does not compare times")
      }
    }
    let actual: String?
    if lowered == "name" || lowered == "attributes.name" {
      actual = experiment.name
    } else if let tag = key.dropPrefixText("tags.") ?? key.dropPrefixText("tag.") {
      actual = experiment.tags[tag]
    } else {
      throw fail("unsupported key '\(key)' (name, tags.KEY, creation_time, last_update_time)")
    }
    guard case .string(let expected) = value else { throw fail("\(key) takes a quoted string") }
    guard let actual else { return false }
    switch op {
    case "=": return actual == expected
    case "!=": return actual != expected
    case "LIKE", "ILIKE":
      let pattern = SearchFilter.glob(expected, caseInsensitive: op == "ILIKE")
      return fnmatch(pattern, actual, 0) == 0
    default: throw fail("\(op) does not compare strings")
    }
  }

  static func sort(_ experiments: [Experiment], by orders: [String]) throws -> [Experiment] {
    var keys: [(String, Bool)] = []
    for order in orders {
      let parts = order.split(separator: " ").map(String.init)
      guard let first = parts.first, parts.count <= 2 else {
        throw MLflowError.invalid("order_by", order, "expected 'KEY [ASC|DESC]'")
      }
      let descending = parts.count == 2 && parts[1].uppercased() == "DESC"
      if parts.count == 2, !["ASC", "DESC"].contains(parts[1].uppercased()) {
        throw MLflowError.invalid("order_by", order, "expected ASC or DESC")
      }
      let key = first.replacingOccurrences(of: "attributes.", with: "")
      guard ["name", "experiment_id", "creation_time", "last_update_time"].contains(key) else {
        throw MLflowError.invalid(
          "order_by", order, "order by name, experiment_id, creation_time or last_update_time")
      }
      keys.append((key, descending))
    }
    return experiments.sorted { left, right in
      for (key, descending) in keys {
        let order: ComparisonResult
        switch key {
        case "name": order = left.name.compare(right.name)
        case "experiment_id": order = left.id == right.id ? .orderedSame : left.id < right.id ? .orderedAscending : .orderedDescending
        case "creation_time": order = left.createdAt.compare(right.createdAt)
        default: order = left.updatedAt.compare(right.updatedAt)
        }
        if order != .orderedSame { return descending ? order == .orderedDescending : order == .orderedAscending }
      }
      return left.id < right.id
    }
  }
}

extension String {
  func dropPrefixText(_ prefix: String) -> String? {
    guard hasPrefix(prefix), count > prefix.count else { return nil }
    return String(dropFirst(prefix.count))
  }
}
