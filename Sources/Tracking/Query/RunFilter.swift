import Foundation

/// A filter over runs, parsed from a small language into an expression tree that each
/// backend compiles (SQLite to parameterized SQL), never to SQL text from the user.
///
/// ```swift
/// let filter = try RunFilter.parse("acc > 0.8 and optimizer.lr = 0.01 and status = finished")
/// let good = try store.runs(where: filter)
/// ```
///
/// Identifiers: `id`, `name`, `uuid`, `experiment`, `status`, `created`, `duration`,
/// `acc`, `bwt`, `fwt`, `forgetting`, `tag.KEY`, `param.KEY`, `metric.KEY`, or a bare KEY
/// (a param of that name, else the latest value of the metric of that name).
/// Operators: `=` `!=` `<` `<=` `>` `>=`, `~` (a pattern: `*` any text, `?` one character),
/// `and`, `or`, `not`, parentheses. Values: numbers
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
    /// Matches a pattern: `*` any text, `?` one character (`name ~ 'replay*'`).
    case matches = "~"
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
}
