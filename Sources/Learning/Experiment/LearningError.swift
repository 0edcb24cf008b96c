import Foundation

/// Errors the Learning library throws; `code` is stable for callers to match.
public enum LearningError: Error, Equatable, CustomStringConvertible {
  /// The caller's `shouldStop` asked the experiment to stop between two batches.
  case cancelled
  /// A spec value is missing, out of range or unknown; `key` is the dotted path.
  case invalidSpec(key: String, message: String)
  /// A data file could not be read or parsed; line (1-based) and column when known.
  case invalidData(file: String, line: Int?, column: String?, message: String)
  /// A run cannot continue from the given earlier state.
  case incompatibleResume(message: String)
  /// The model or its engine rejected an operation (shapes, checkpoint format...).
  case model(message: String)

  /// A short machine-readable code (`cancelled`, `invalid_spec`, `invalid_data`, ...).
  public var code: String {
    switch self {
    case .cancelled: return "cancelled"
    case .invalidSpec: return "invalid_spec"
    case .invalidData: return "invalid_data"
    case .incompatibleResume: return "incompatible_resume"
    case .model: return "model"
    }
  }

  /// A message naming what was wrong, where, and what to do.
  public var description: String {
    switch self {
    case .cancelled:
      return "training was cancelled"
    case .invalidSpec(let key, let message):
      return "invalid spec value '\(key)': \(message)"
    case .invalidData(let file, let line, let column, let message):
      var place = file
      if let line { place += ":\(line)" }
      if let column { place += " (column '\(column)')" }
      return "\(place): \(message)"
    case .incompatibleResume(let message):
      return "cannot continue from the earlier run: \(message)"
    case .model(let message):
      return "model error: \(message)"
    }
  }
}
