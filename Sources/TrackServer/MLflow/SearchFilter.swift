import Foundation
import Tracking

/// MLflow's `search_runs` filter language, compiled to the store's filter expression tree
/// (never to SQL text): `metrics.acc > 0.5 and params.lr = '0.01' and tags.x = 'y'`,
/// `attributes.status = 'FINISHED'`, `attributes.run_name LIKE 'base%'`,
/// `attributes.run_id IN ('a', 'b')`.
///
/// Identifiers: `metrics.K`, `params.K`, `tags.K` (also singular), keys quoted with backticks
/// or double quotes when they hold spaces or dots; `attributes.` (or `attribute.`, `run.`)
/// `status`, `run_name`, `run_id`, `start_time`, `end_time`, `user_id`. Operators: `=` `!=`
/// `<` `<=` `>` `>=` (numbers for metrics and times), `LIKE` / `ILIKE` (`%` any text, `_` one
/// character), `IN (...)`, `NOT IN (...)`; clauses joined by `AND` (and `OR`, parentheses).
enum SearchFilter {
  /// The filter for `text`; nil for an empty filter. Errors are INVALID_PARAMETER_VALUE.
  static func compile(_ text: String) throws -> RunFilter.Expression? {
    var parser = Parser(tokens: try tokenize(text), source: text)
    if parser.tokens.isEmpty { return nil }
    let expression = try parser.parseOr()
    guard parser.position == parser.tokens.count else {
      throw parser.error("unexpected '\(parser.tokens[parser.position].text)'")
    }
    return expression
  }

  /// One `order_by` entry ("metrics.acc DESC", "attributes.start_time") as a store sort key.
  static func sort(_ text: String) throws -> RunSort {
    let tokens = try tokenize(text)
    guard let first = tokens.first, case .identifier = first.kind else {
      throw MLflowError.invalid("order_by", text, "expected an identifier such as metrics.acc")
    }
    var descending = false
    if tokens.count == 2, case .word(let word) = tokens[1].kind {
      switch word.uppercased() {
      case "DESC": descending = true
      case "ASC": descending = false
      default: throw MLflowError.invalid("order_by", text, "expected ASC or DESC after the key")
      }
    } else if tokens.count > 1 {
      throw MLflowError.invalid("order_by", text, "expected 'KEY [ASC|DESC]'")
    }
    let field = try storeField(first.text, operatorIsText: false, source: text)
    return RunSort(key: field.name, descending: descending)
  }

  // MARK: Tokens

  struct Token {
    enum Kind: Equatable {
      case identifier
      case word(String)
      case string(String)
      case number(Double)
      case symbol(String)
    }
    var kind: Kind
    var text: String
  }

  static func tokenize(_ text: String) throws -> [Token] {
    var tokens: [Token] = []
    let characters = Array(text)
    var index = 0
    func fail(_ why: String) -> MLflowError {
      MLflowError(
        .invalidParameterValue,
        "Error on parsing filter '\(text)': \(why) at character \(index + 1).")
    }
    while index < characters.count {
      let character = characters[index]
      if character.isWhitespace {
        index += 1
      } else if character == "'" || character == "\"" && !(tokens.last?.text.hasSuffix(".") ?? false)
      {
        // A quoted string; '' inside stands for one quote.
        let quote = character
        index += 1
        var value = ""
        while true {
          guard index < characters.count else { throw fail("unterminated string") }
          if characters[index] == quote {
            if index + 1 < characters.count, characters[index + 1] == quote {
              value.append(quote)
              index += 2
              continue
            }
            index += 1
            break
          }
          value.append(characters[index])
          index += 1
        }
        tokens.append(Token(kind: .string(value), text: value))
      } else if "=!<>".contains(character) {
        var symbol = String(character)
        if index + 1 < characters.count, characters[index + 1] == "=" {
          symbol.append("=")
          index += 1
        }
        index += 1
        guard symbol != "!" else { throw fail("expected '!='") }
        tokens.append(Token(kind: .symbol(symbol), text: symbol))
      } else if "(),".contains(character) {
        tokens.append(Token(kind: .symbol(String(character)), text: String(character)))
        index += 1
      } else if character.isNumber || character == "-" || character == "." || character == "+" {
        let start = index
        index += 1
        while index < characters.count,
          characters[index].isNumber || "eE.+-".contains(characters[index])
        {
          index += 1
        }
        let literal = String(characters[start..<index])
        guard let number = Double(literal) else { throw fail("'\(literal)' is not a number") }
        tokens.append(Token(kind: .number(number), text: literal))
      } else if character.isLetter || character == "_" || character == "`" {
        // An identifier (prefix.key, the key possibly quoted) or a keyword.
        var name = ""
        var dotted = false
        while index < characters.count {
          let current = characters[index]
          if current == "`" || (current == "\"" && name.hasSuffix(".")) {
            let quote = current
            index += 1
            while index < characters.count, characters[index] != quote {
              name.append(characters[index])
              index += 1
            }
            guard index < characters.count else { throw fail("unterminated quoted key") }
            index += 1
            dotted = true
          } else if current.isLetter || current.isNumber || "_.:/-".contains(current) {
            if current == "." { dotted = true }
            name.append(current)
            index += 1
          } else {
            break
          }
        }
        tokens.append(Token(kind: dotted ? .identifier : .word(name), text: name))
      } else {
        throw fail("unexpected character '\(character)'")
      }
    }
    return tokens
  }

  // MARK: Parsing

  struct Parser {
    var tokens: [Token]
    var source: String
    var position = 0

    func error(_ why: String) -> MLflowError {
      MLflowError(.invalidParameterValue, "Error on parsing filter '\(source)': \(why).")
    }

    mutating func keyword(_ word: String) -> Bool {
      guard position < tokens.count, case .word(let text) = tokens[position].kind,
        text.uppercased() == word
      else { return false }
      position += 1
      return true
    }

    mutating func symbol(_ text: String) -> Bool {
      guard position < tokens.count, tokens[position].kind == .symbol(text) else { return false }
      position += 1
      return true
    }

    mutating func parseOr() throws -> RunFilter.Expression {
      var left = try parseAnd()
      while keyword("OR") { left = .or(left, try parseAnd()) }
      return left
    }

    mutating func parseAnd() throws -> RunFilter.Expression {
      var left = try parsePrimary()
      while keyword("AND") { left = .and(left, try parsePrimary()) }
      return left
    }

    mutating func parsePrimary() throws -> RunFilter.Expression {
      if symbol("(") {
        let inner = try parseOr()
        guard symbol(")") else { throw error("expected ')'") }
        return inner
      }
      guard position < tokens.count else { throw error("expected a comparison") }
      let identifier = tokens[position]
      guard identifier.kind == .identifier else {
        throw error("expected an identifier such as metrics.acc, not '\(identifier.text)'")
      }
      position += 1
      // IN / NOT IN
      let negated = keyword("NOT")
      if keyword("IN") {
        guard symbol("(") else { throw error("expected '(' after IN") }
        var values: [String] = []
        repeat {
          guard position < tokens.count, case .string(let value) = tokens[position].kind else {
            throw error("IN takes quoted strings")
          }
          values.append(value)
          position += 1
        } while symbol(",")
        guard symbol(")") else { throw error("expected ')' to close IN (...)") }
        let field = try storeField(identifier.text, operatorIsText: true, source: source)
        var expression: RunFilter.Expression? = nil
        for value in values {
          let one = try field.compare(.equal, .text(value))
          expression = expression.map { .or($0, one) } ?? one
        }
        guard let expression else { throw error("IN needs at least one value") }
        return negated ? .not(expression) : expression
      }
      if negated { throw error("expected IN after NOT") }
      // LIKE / ILIKE
      if keyword("LIKE") || keyword("ILIKE") {
        let insensitive = tokens[position - 1].text.uppercased() == "ILIKE"
        guard position < tokens.count, case .string(let pattern) = tokens[position].kind else {
          throw error("LIKE takes a quoted pattern")
        }
        position += 1
        let field = try storeField(identifier.text, operatorIsText: true, source: source)
        return try field.compare(.matches, .text(glob(pattern, caseInsensitive: insensitive)))
      }
      guard position < tokens.count, case .symbol(let op) = tokens[position].kind,
        let comparison = RunFilter.Comparison(rawValue: op)
      else { throw error("expected a comparison operator after '\(identifier.text)'") }
      position += 1
      guard position < tokens.count else { throw error("expected a value after '\(op)'") }
      let value = tokens[position]
      position += 1
      let literal: RunFilter.Literal
      switch value.kind {
      case .string(let text): literal = .text(text)
      case .number(let number): literal = .number(number)
      default: throw error("expected a quoted string or a number, not '\(value.text)'")
      }
      let isText: Bool = {
        if case .text = literal { return true }
        return false
      }()
      let field = try storeField(identifier.text, operatorIsText: isText, source: source)
      return try field.compare(comparison, literal)
    }
  }

  /// A LIKE pattern as a GLOB pattern (`%` → `*`, `_` → `?`, GLOB's own characters escaped;
  /// ILIKE matches each letter in either case).
  static func glob(_ pattern: String, caseInsensitive: Bool) -> String {
    var out = ""
    for character in pattern {
      switch character {
      case "%": out += "*"
      case "_": out += "?"
      case "*", "?", "[", "]": out += "[\(character)]"
      default:
        let lower = character.lowercased()
        let upper = character.uppercased()
        if caseInsensitive, lower != upper, lower.count == 1, upper.count == 1 {
          out += "[\(lower)\(upper)]"
        } else {
          out.append(character)
        }
      }
    }
    return out
  }

  // MARK: Fields

  /// An MLflow identifier read as a store field.
  struct StoreField {
    enum Kind { case metric, param, tag, status, runID, time, text }
    var name: String
    var kind: Kind
    var source: String

    func compare(_ comparison: RunFilter.Comparison, _ literal: RunFilter.Literal) throws
      -> RunFilter.Expression
    {
      func fail(_ why: String) -> MLflowError {
        MLflowError(.invalidParameterValue, "Error on parsing filter '\(source)': \(why).")
      }
      switch kind {
      case .metric:
        guard case .number = literal else {
          throw fail("a metric ('\(name)') is compared with a number")
        }
        return .compare(field: name, comparison, literal)
      case .time:
        guard case .number(let milliseconds) = literal else {
          throw fail("'\(name)' is compared with a number of milliseconds")
        }
        return .compare(field: name, comparison, .number(milliseconds / 1000))
      case .param, .tag, .text:
        // MLflow compares params and tags as strings.
        let text: String
        switch literal {
        case .text(let value): text = value
        case .number: throw fail("'\(name)' is compared with a quoted string")
        }
        return .compare(field: name, comparison, .text(text))
      case .status:
        guard case .text(let value) = literal, [.equal, .notEqual, .matches].contains(comparison)
        else { throw fail("attributes.status is compared with =, != or LIKE and a quoted status") }
        let status = value.lowercased()
        let expression: RunFilter.Expression =
          status == "running"
          // A stale heartbeat reads as crashed on track's side; to MLflow it is still running.
          ? .or(
            .compare(field: "status", .equal, .text("running")),
            .compare(field: "status", .equal, .text("crashed")))
          : .compare(field: "status", comparison == .notEqual ? .equal : comparison, .text(status))
        return comparison == .notEqual ? .not(expression) : expression
      case .runID:
        guard case .text(let value) = literal else {
          throw fail("attributes.run_id is compared with a quoted id")
        }
        return .compare(field: "uuid", comparison, .text(MLflowIDs.uuid(fromRunID: value)))
      }
    }
  }

  static func storeField(_ identifier: String, operatorIsText: Bool, source: String) throws
    -> StoreField
  {
    guard let dot = identifier.firstIndex(of: ".") else {
      throw MLflowError(
        .invalidParameterValue,
        "Error on parsing filter '\(source)': '\(identifier)' needs a prefix (metrics., params., "
          + "tags. or attributes.).")
    }
    let prefix = identifier[..<dot].lowercased()
    let key = String(identifier[identifier.index(after: dot)...])
    switch prefix {
    case "metric", "metrics": return StoreField(name: "metric.\(key)", kind: .metric, source: source)
    case "param", "params", "parameter", "parameters":
      return StoreField(name: "param.\(key)", kind: .param, source: source)
    case "tag", "tags":
      if key == "mlflow.runName" { return StoreField(name: "name", kind: .text, source: source) }
      return StoreField(name: "tag.\(key)", kind: .tag, source: source)
    case "attribute", "attributes", "run":
      switch key {
      case "status": return StoreField(name: "status", kind: .status, source: source)
      case "run_name", "runName": return StoreField(name: "name", kind: .text, source: source)
      case "run_id", "run_uuid": return StoreField(name: "uuid", kind: .runID, source: source)
      case "start_time", "created": return StoreField(name: "created_at", kind: .time, source: source)
      case "end_time": return StoreField(name: "ended_at", kind: .time, source: source)
      case "user_id": return StoreField(name: "tag.mlflow.user", kind: .tag, source: source)
      default:
        throw MLflowError(
          .invalidParameterValue,
          "Error on parsing filter '\(source)': unsupported attribute '\(key)' (supported: "
            + "status, run_name, run_id, start_time, end_time, user_id).")
      }
    default:
      throw MLflowError(
        .invalidParameterValue,
        "Error on parsing filter '\(source)': invalid entity type '\(prefix)' (expected metrics, "
          + "params, tags or attributes).")
    }
  }
}
