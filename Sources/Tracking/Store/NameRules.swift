import Foundation

/// Validation of the names and keys people type: run names, experiment names, param, tag and
/// metric keys.
public enum NameRules {
  /// Longest accepted name or key, in characters.
  public static let maximumLength = 250

  /// Checks a key (param, tag, metric): non-empty, no surrounding blanks, no control characters.
  public static func validateKey(_ key: String, kind: String, run: RunID? = nil) throws {
    let place = run.map { " of run \($0)" } ?? ""
    if key.isEmpty {
      throw TrackingError(.invalidName, "A \(kind) key\(place) is empty; give it a name.")
    }
    if key.count > maximumLength {
      throw TrackingError(
        .invalidName,
        "The \(kind) key\(place) '\(key.prefix(40))…' is \(key.count) characters long; "
          + "the limit is \(maximumLength).")
    }
    if key.trimmingCharacters(in: .whitespacesAndNewlines) != key {
      throw TrackingError(
        .invalidName,
        "The \(kind) key\(place) '\(key)' starts or ends with blanks; remove them.")
    }
    if key.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
      throw TrackingError(
        .invalidName,
        "The \(kind) key\(place) \(key.debugDescription) contains control characters; use "
          + "printable characters only.")
    }
  }

  /// Checks a run or experiment name: a key that also cannot be mistaken for a run reference
  /// (an id like "12", "latest", "latest~2").
  public static func validateName(_ name: String, kind: String) throws {
    try validateKey(name, kind: kind)
    if kind == "run" {
      if name.allSatisfy(\.isNumber) {
        throw TrackingError(
          .invalidName,
          "The run name '\(name)' is all digits and would be read as a run id; add a letter.")
      }
      if name == "latest" || name.hasPrefix("latest~") {
        throw TrackingError(
          .invalidName, "The run name '\(name)' is reserved for `latest`; choose another.")
      }
    }
  }
}
