import Foundation
import Tracking

/// How MLflow's identifiers, statuses and rules read in track's terms.
enum MLflowIDs {
  /// MLflow's run id of a run: its UUID as 32 lowercase hex digits (what MLflow's own server
  /// makes with `uuid4().hex`).
  static func runID(_ run: Run) -> String { run.uuid.replacingOccurrences(of: "-", with: "") }

  /// A run id (hex, or a UUID with dashes) as the store's UUID form, for filters.
  static func uuid(fromRunID id: String) -> String {
    let hex = id.lowercased().filter { $0 != "-" }
    guard hex.count == 32 else { return id.lowercased() }
    let characters = Array(hex)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }
      .joined(separator: "-")
  }

  /// The `mlflow-artifacts:` URI of a run's artifact root.
  static func artifactURI(_ run: Run) -> String {
    "mlflow-artifacts:/\(run.experimentID)/\(runID(run))/artifacts"
  }

  /// MLflow's status name of a run's status. A stale heartbeat reads as `crashed` on track's
  /// side; MLflow has no such state, and to its clients the run is still RUNNING.
  static func status(_ status: RunStatus) -> String {
    switch status {
    case .running, .crashed: return "RUNNING"
    case .finished: return "FINISHED"
    case .failed: return "FAILED"
    case .killed: return "KILLED"
    }
  }

  /// A status MLflow's client sends.
  static func status(parsing text: String) throws -> RunStatus {
    switch text.uppercased() {
    case "RUNNING", "SCHEDULED": return .running
    case "FINISHED": return .finished
    case "FAILED": return .failed
    case "KILLED": return .killed
    default:
      throw MLflowError.invalid(
        "status", text, "expected RUNNING, SCHEDULED, FINISHED, FAILED or KILLED")
    }
  }

  /// Milliseconds since the epoch.
  static func milliseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
  }

  /// A param value as MLflow sent it: a number only when the number prints back as the same
  /// text (so "0.01" filters as a number and "1e-3" or "007" come back exactly as given).
  static func param(_ text: String) -> ParamValue {
    let parsed = ParamValue(parsing: text)
    if case .number = parsed, parsed.description != text { return .text(text) }
    return parsed
  }
}

/// MLflow's limits and name rules (mlflow/utils/validation.py), with its messages.
enum MLflowRules {
  static let maximumMetricsPerBatch = 1000
  static let maximumParamsTagsPerBatch = 100
  static let maximumEntitiesPerBatch = 1000
  static let maximumKeyLength = 250
  static let maximumParamValueLength = 6000
  static let maximumTagValueLength = 8000
  static let maximumExperimentNameLength = 500
  static let maximumExperimentTagValueLength = 20000

  /// Checks a metric, param or tag name: slashes, alphanumerics, underscores, periods,
  /// dashes, colons and spaces, at most 250 characters, and not a path that resolves to
  /// another name.
  static func validateKey(_ key: String, field: String) throws {
    guard !key.isEmpty else {
      throw MLflowError(
        .invalidParameterValue,
        "Invalid value \"\" for parameter '\(field)' supplied: the name is empty.")
    }
    let allowed = key.unicodeScalars.allSatisfy { scalar in
      CharacterSet.alphanumerics.contains(scalar) || "_/.- :".unicodeScalars.contains(scalar)
    }
    guard allowed else {
      throw MLflowError.invalid(
        field, key,
        "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
          + "spaces ( ), colon(:) and slashes (/).")
    }
    guard key.count <= maximumKeyLength else {
      throw MLflowError.invalid(
        field, key, "length \(key.count) exceeds the limit of \(maximumKeyLength)")
    }
    // Names may be treated as files: they must not resolve to other names.
    let normalized = (key as NSString).standardizingPath
    if key.hasPrefix("/") || key.hasSuffix("/") || key.contains("//")
      || key.split(separator: "/").contains(where: { $0 == "." || $0 == ".." })
      || (normalized != key && !key.contains(" "))
    {
      throw MLflowError.invalid(
        field, key,
        "Names may be treated as files in certain cases, and must not resolve to other names "
          + "when treated as such.")
    }
    // The store's own rule: no leading or trailing blanks.
    guard key.trimmingCharacters(in: .whitespaces) == key else {
      throw MLflowError.invalid(field, key, "the name starts or ends with a space")
    }
  }

  static func validateLength(_ value: String, limit: Int, field: String) throws {
    guard value.count <= limit else {
      throw MLflowError(
        .invalidParameterValue,
        "'\(field)' exceeds the maximum length of \(limit) characters (got \(value.count)).")
    }
  }
}
