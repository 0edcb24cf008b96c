import Foundation

/// The fields of an API request: the JSON body's members (POST, PATCH) or the query string
/// (GET, DELETE: MLflow's clients send GET parameters that way), with typed accessors whose
/// errors are MLflow's (INVALID_PARAMETER_VALUE naming the field).
struct Fields: Sendable {
  private let members: [String: JSON]

  /// Fields from a JSON object body; anything else is an error.
  init(body: JSON) throws {
    guard case .object(let members) = body else {
      throw MLflowError(.badRequest, "The request body must be a JSON object.")
    }
    self.members = members
  }

  /// Fields from a query string (`a=1&b=2&b=3`): a repeated name reads as an array.
  init(query: String) {
    var values: [String: [String]] = [:]
    for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = Fields.decode(parts[0])
      let value = parts.count > 1 ? Fields.decode(parts[1]) : ""
      values[name, default: []].append(value)
    }
    members = values.mapValues { $0.count == 1 ? .string($0[0]) : .array($0.map(JSON.string)) }
  }

  init(members: [String: JSON]) { self.members = members }

  private static func decode(_ text: Substring) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    return spaced.removingPercentEncoding ?? spaced
  }

  /// The raw member.
  subscript(name: String) -> JSON? { members[name] }

  /// A string field (nil when absent or null); another type is an error.
  func string(_ name: String) throws -> String? {
    switch members[name] {
    case nil, .null?: return nil
    case .string(let text)?: return text
    case .number(let number)?:
      return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    case .bool(let flag)?: return flag ? "true" : "false"
    default: throw MLflowError.invalid(name, "\(members[name]!)", "expected a string")
    }
  }

  /// A string field that must be present and non-empty.
  func requiredString(_ name: String) throws -> String {
    guard let text = try string(name), !text.isEmpty else { throw MLflowError.missing(name) }
    return text
  }

  /// A 64-bit integer (a JSON number, or a string of digits as protobuf writes int64).
  func int64(_ name: String) throws -> Int64? {
    switch members[name] {
    case nil, .null?: return nil
    case .number(let number)?:
      guard number == number.rounded(), abs(number) <= 9.007_199_254_740_992e15 else {
        throw MLflowError.invalid(name, String(number), "expected an integer")
      }
      return Int64(number)
    case .string(let text)?:
      guard let value = Int64(text) else {
        throw MLflowError.invalid(name, text, "expected an integer")
      }
      return value
    default: throw MLflowError.invalid(name, "\(members[name]!)", "expected an integer")
    }
  }

  /// A double: a JSON number, or "NaN", "Infinity", "-Infinity" or a decimal in a string.
  func double(_ name: String) throws -> Double? {
    switch members[name] {
    case nil, .null?: return nil
    case .number(let number)?: return number
    case .string(let text)?:
      switch text {
      case "NaN", "nan": return .nan
      case "Infinity", "inf", "+Infinity": return .infinity
      case "-Infinity", "-inf": return -.infinity
      default:
        guard let value = Double(text) else {
          throw MLflowError.invalid(name, text, "expected a number")
        }
        return value
      }
    default: throw MLflowError.invalid(name, "\(members[name]!)", "expected a number")
    }
  }

  /// A boolean (JSON true/false, or "true"/"false" in a query string).
  func bool(_ name: String) throws -> Bool? {
    switch members[name] {
    case nil, .null?: return nil
    case .bool(let flag)?: return flag
    case .string(let text)?:
      switch text.lowercased() {
      case "true", "1": return true
      case "false", "0": return false
      default: throw MLflowError.invalid(name, text, "expected true or false")
      }
    default: throw MLflowError.invalid(name, "\(members[name]!)", "expected true or false")
    }
  }

  /// An array of objects (absent: empty).
  func objects(_ name: String) throws -> [Fields] {
    switch members[name] {
    case nil, .null?: return []
    case .array(let items)?:
      return try items.map { item in
        guard case .object(let members) = item else {
          throw MLflowError.invalid(name, "\(item)", "expected an array of objects")
        }
        return Fields(members: members)
      }
    default: throw MLflowError.invalid(name, "\(members[name]!)", "expected an array")
    }
  }

  /// An array of strings (absent: empty; a single string: one).
  func strings(_ name: String) throws -> [String] {
    switch members[name] {
    case nil, .null?: return []
    case .string(let text)?: return [text]
    case .array(let items)?:
      return try items.map { item in
        switch item {
        case .string(let text): return text
        case .number(let number) where number == number.rounded(): return String(Int64(number))
        default: throw MLflowError.invalid(name, "\(item)", "expected an array of strings")
        }
      }
    default: throw MLflowError.invalid(name, "\(members[name]!)", "expected an array")
    }
  }
}
