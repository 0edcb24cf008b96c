import Foundation

/// Errors the Learning library throws; `code` is stable for callers to match, and an error
/// of the model or of a checkpoint underneath keeps its own code in `cause`.
///
/// ```swift
/// do {
///   try experiment.run(resumingFrom: state)
/// } catch let error as LearningError {
///   if case .checkpoint(let damaged)? = error.cause, damaged.code == .checksumMismatch {
///     // the stored weights were altered
///   }
///   print(error.code.rawValue, error)  // incompatible_resume cannot continue from ...
/// }
/// ```
public enum LearningError: Error, Equatable, CustomStringConvertible {
  /// The caller's `shouldStop` asked the experiment to stop between two batches.
  case cancelled
  /// A spec value is missing, out of range or unknown; `key` is the dotted path.
  case invalidSpec(key: String, message: String)
  /// Data could not be read, parsed or used: a file (line 1-based and column when known),
  /// or data handed over in memory, where `file` names what it was (e.g. "dataset").
  case invalidData(file: String, line: Int?, column: String?, message: String)
  /// A run cannot continue from the given earlier state; `cause` is the error of the
  /// earlier weights or optimizer state when one of them could not be loaded.
  case incompatibleResume(message: String, cause: Cause? = nil)
  /// The model or its engine rejected an operation; `cause` is the model's own error when
  /// it threw one (nil when the training loop did, e.g. a loss that became NaN).
  case model(message: String, cause: Cause? = nil)

  /// The error of a lower layer that a `LearningError` wraps, with its own code.
  public enum Cause: Error, Equatable, CustomStringConvertible {
    /// Building or feeding the model failed (`ModelError.Code`).
    case model(ModelError)
    /// A checkpoint's bytes could not be read (`CheckpointError.Code`).
    case checkpoint(CheckpointError)

    /// The wrapped error's own description.
    public var description: String {
      switch self {
      case .model(let error): return error.description
      case .checkpoint(let error): return error.description
      }
    }
  }

  /// The machine-readable codes; the raw values are the strings callers have matched on.
  public enum Code: String, Sendable, CaseIterable {
    case cancelled
    case invalidSpec = "invalid_spec"
    case invalidData = "invalid_data"
    case incompatibleResume = "incompatible_resume"
    case model
  }

  /// What kind of error this is, for matching.
  public var code: Code {
    switch self {
    case .cancelled: return .cancelled
    case .invalidSpec: return .invalidSpec
    case .invalidData: return .invalidData
    case .incompatibleResume: return .incompatibleResume
    case .model: return .model
    }
  }

  /// The wrapped model or checkpoint error, when there is one.
  public var cause: Cause? {
    switch self {
    case .incompatibleResume(_, let cause), .model(_, let cause): return cause
    default: return nil
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
    case .incompatibleResume(let message, _):
      return "cannot continue from the earlier run: \(message)"
    case .model(let message, _):
      return "model error: \(message)"
    }
  }
}

extension LearningError.Cause {
  /// `error` as a cause when it is a model or checkpoint error, nil otherwise.
  init?(_ error: any Error) {
    switch error {
    case let error as ModelError: self = .model(error)
    case let error as CheckpointError: self = .checkpoint(error)
    default: return nil
    }
  }
}
