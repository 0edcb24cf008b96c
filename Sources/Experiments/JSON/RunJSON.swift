import Foundation
import Tracking

/// The stable JSON shapes of runs (documented in docs/cli.md).
public enum RunJSON {
  /// A parameter value: numbers as JSON numbers, text as strings.
  public static func param(_ value: ParamValue) -> JSONValue {
    if let number = value.number { return .number(number) }
    return .string(value.description)
  }

  /// Parameters as an object sorted by key.
  public static func params(_ params: [String: ParamValue]) -> JSONValue {
    .object(params.keys.sorted().map { ($0, param(params[$0]!)) })
  }

  /// Numbers by key as an object sorted by key.
  public static func numbers(_ values: [String: Double]) -> JSONValue {
    .object(values.keys.sorted().map { ($0, .number(values[$0])) })
  }

  /// The fields every run object starts with, in `runs` and in `show`.
  public static func identity(_ run: some RunIdentity) -> [(String, JSONValue)] {
    [
      ("id", .integer(run.id)),
      ("uuid", .string(run.uuid)),
      ("name", .string(run.name)),
      ("experiment", .string(run.experiment)),
      ("status", .string(run.status.rawValue)),
      ("created_at", .string(TimeDisplay.timestamp(run.createdAt))),
      ("duration_seconds", TimeDisplay.seconds(run.duration)),
      ("continued_from", run.continuedFrom.map { .integer($0) } ?? .null),
    ]
  }

  /// One row of `track runs --format json`.
  public static func summary(_ run: RunSummary) -> JSONValue {
    .object(identity(run) + [("params", params(run.params)), ("summary", numbers(run.summary))])
  }

  /// A short reference to a run (in diffs).
  public static func reference(_ run: Run) -> JSONValue {
    .object([("id", .integer(run.id)), ("uuid", .string(run.uuid)), ("name", .string(run.name))])
  }
}

/// What both a run listing row and a whole run say about a run's identity and life.
public protocol RunIdentity {
  var id: RunID { get }
  var uuid: String { get }
  var name: String { get }
  var experiment: String? { get }
  var status: RunStatus { get }
  var createdAt: Date { get }
  var duration: TimeInterval? { get }
  var continuedFrom: RunID? { get }
}

extension Run: RunIdentity {}
extension RunSummary: RunIdentity {}
