/// Recursive-descent parser of the run filter language (see `RunFilter`).
///
/// Grammar: or := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | primary ;
/// primary := '(' or ')' | FIELD OP VALUE.
struct FilterParser {
  enum Token: Equatable {
    case word(String)
    case quoted(String)
    case op(String)
    case open, close, end
  }

  let text: String
  private var tokens: [(token: Token, column: Int)] = []
  private var position = 0

  init(text: String) {
    self.text = text
  }

  /// Tokenizes, then parses the whole text (tokenizer errors name their column too).
  mutating func parseAll() throws -> RunFilter.Expression {
    tokens = try FilterParser.tokenize(text)
    position = 0
    if tokens.first?.token == .end { throw fail("a condition such as `acc > 0.8`", at: 0) }
    let expression = try parseOr()
    guard current == .end else { throw fail("`and`, `or` or the end of the filter") }
    return expression
  }

  private var current: Token { tokens[position].token }
  private var column: Int { tokens[position].column }

  private func fail(_ expected: String, at index: Int? = nil) -> TrackingError {
    let entry = tokens[index ?? position]
    let found: String
    switch entry.token {
    case .end: found = "the end of the filter"
    case .word(let word): found = "`\(word)`"
    case .quoted(let word): found = "'\(word)'"
    case .op(let op): found = "`\(op)`"
    case .open: found = "`(`"
    case .close: found = "`)`"
    }
    return FilterParser.error(
      "expected \(expected) but found \(found)", column: entry.column,
      text: text)
  }

  static func error(_ what: String, column: Int, text: String) -> TrackingError {
    TrackingError(
      .invalidFilter,
      "Filter error at column \(column): \(what).\n  \(text)\n  "
        + String(repeating: " ", count: max(0, column - 1)) + "^\n"
        + "A filter looks like: acc > 0.8 and optimizer.lr = 0.01 and status = finished")
  }

  private func isKeyword(_ keyword: String) -> Bool {
    if case .word(let word) = current { return word.lowercased() == keyword }
    return false
  }

  private mutating func parseOr() throws -> RunFilter.Expression {
    var left = try parseAnd()
    while isKeyword("or") {
      position += 1
      left = .or(left, try parseAnd())
    }
    return left
  }

  private mutating func parseAnd() throws -> RunFilter.Expression {
    var left = try parseNot()
    while isKeyword("and") {
      position += 1
      left = .and(left, try parseNot())
    }
    return left
  }

  private mutating func parseNot() throws -> RunFilter.Expression {
    if isKeyword("not") {
      position += 1
      return .not(try parseNot())
    }
    return try parsePrimary()
  }

  private mutating func parsePrimary() throws -> RunFilter.Expression {
    if current == .open {
      position += 1
      let inner = try parseOr()
      guard current == .close else { throw fail("`)`") }
      position += 1
      return inner
    }
    guard case .word(let field) = current, !["and", "or", "not"].contains(field.lowercased())
    else { throw fail("a field name such as `acc`, `status` or `optimizer.lr`") }
    position += 1
    guard case .op(let symbol) = current else {
      throw fail("a comparison (= != < <= > >= ~) after `\(field)`")
    }
    let comparison = RunFilter.Comparison(rawValue: symbol == "==" ? "=" : symbol)!
    position += 1
    let literal: RunFilter.Literal
    switch current {
    case .quoted(let value): literal = .text(value)
    case .word(let value) where comparison == .matches: literal = .text(value)  // a pattern
    case .word(let value):
      if let number = Double(value), value.allSatisfy({ "0123456789+-.eE".contains($0) }) {
        literal = .number(number)
      } else {
        literal = .text(value)
      }
    default: throw fail("a value (a number or a string) after `\(field) \(symbol)`")
    }
    position += 1
    return .compare(field: field, comparison, literal)
  }

  static func tokenize(_ text: String) throws -> [(token: Token, column: Int)] {
    var result: [(token: Token, column: Int)] = []
    let characters = Array(text)
    var index = 0
    func isWordCharacter(_ character: Character) -> Bool {
      character.isLetter || character.isNumber || "_.-+/:~@#%*?".contains(character)
    }
    while index < characters.count {
      let character = characters[index]
      let column = index + 1
      if character.isWhitespace {
        index += 1
      } else if character == "(" {
        result.append((.open, column))
        index += 1
      } else if character == ")" {
        result.append((.close, column))
        index += 1
      } else if "=!<>".contains(character) {
        var symbol = String(character)
        if index + 1 < characters.count, characters[index + 1] == "=" {
          symbol.append("=")
        }
        if symbol == "!" {
          throw error("`!` must be followed by `=`", column: column, text: text)
        }
        result.append((.op(symbol), column))
        index += symbol.count
      } else if character == "'" || character == "\"" {
        var value = ""
        index += 1
        while index < characters.count, characters[index] != character {
          value.append(characters[index])
          index += 1
        }
        guard index < characters.count else {
          throw error(
            "the string opened here has no closing \(character)", column: column,
            text: text)
        }
        index += 1
        result.append((.quoted(value), column))
      } else if isWordCharacter(character) {
        var word = ""
        while index < characters.count, isWordCharacter(characters[index]) {
          word.append(characters[index])
          index += 1
        }
        // A lone `~` is the pattern operator (`name ~ 'replay*'`); inside a word it stays
        // part of it (`latest~1`).
        result.append((word == "~" ? .op("~") : .word(word), column))
      } else {
        throw error("unexpected character `\(character)`", column: column, text: text)
      }
    }
    result.append((.end, characters.count + 1))
    return result
  }
}
