import Foundation

/// A filter over runs, parsed from a small language and compiled to parameterized SQL.
///
/// ```swift
/// let filter = try RunFilter.parse("acc > 0.8 and optimizer.lr = 0.01 and status = finished")
/// let good = try store.runs(where: filter)
/// ```
///
/// Identifiers: `id`, `name`, `uuid`, `experiment`, `status`, `created`, `duration`,
/// `acc`, `bwt`, `fwt`, `forgetting`, `tag.KEY`, `param.KEY`, `metric.KEY`, or a bare KEY
/// (a param of that name, else the latest value of the metric of that name).
/// Operators: `=` `!=` `<` `<=` `>` `>=`, `and`, `or`, `not`, parentheses. Values: numbers
/// (compared as numbers) or strings, bare or quoted with ' or ".
public struct RunFilter: Equatable, Sendable {
  /// A comparison operator.
  public enum Comparison: String, Sendable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
  }

  /// A literal on the right of a comparison.
  public enum Literal: Equatable, Sendable {
    case number(Double)
    case text(String)
  }

  /// The parsed expression tree.
  public indirect enum Expression: Equatable, Sendable {
    case compare(field: String, Comparison, Literal)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
  }

  /// The root of the expression.
  public var expression: Expression
  /// The text it was parsed from.
  public var source: String

  /// Creates a filter from an expression tree.
  public init(_ expression: Expression, source: String = "") {
    self.expression = expression
    self.source = source
  }

  /// Parses filter text; errors (`.invalidFilter`) name the column and what was expected.
  public static func parse(_ text: String) throws -> RunFilter {
    var parser = FilterParser(text: text)
    return RunFilter(try parser.parseAll(), source: text)
  }

  /// SQL for a WHERE clause over `run_overview o`, with its arguments.
  func compile() -> (sql: String, arguments: [SQLValue]) {
    var arguments: [SQLValue] = []
    let sql = RunFilter.compile(expression, into: &arguments)
    return (sql, arguments)
  }

  private static func compile(_ expression: Expression, into arguments: inout [SQLValue]) -> String
  {
    switch expression {
    case .and(let left, let right):
      let l = compile(left, into: &arguments)
      return "(\(l) AND \(compile(right, into: &arguments)))"
    case .or(let left, let right):
      let l = compile(left, into: &arguments)
      return "(\(l) OR \(compile(right, into: &arguments)))"
    case .not(let inner):
      return "NOT COALESCE(\(compile(inner, into: &arguments)), 0)"
    case .compare(let field, let comparison, let literal):
      let numeric: Bool
      let value: SQLValue
      switch literal {
      case .number(let number):
        numeric = true
        value = .real(number)
      case .text(let text):
        numeric = false
        value = .text(text)
      }
      let column = RunField(field).sql(numeric: numeric, arguments: &arguments)
      arguments.append(value)
      return "(\(column) \(comparison.rawValue) ?)"
    }
  }
}
