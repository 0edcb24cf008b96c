/// The life-cycle state of a run.
public enum RunStatus: String, CaseIterable, Sendable, Codable {
  /// Started and still beating.
  case running
  /// Ended normally.
  case finished
  /// Ended with an error.
  case failed
  /// Stopped by the user (Ctrl-C, a signal).
  case killed
  /// Stopped beating without saying goodbye (its process died).
  case crashed
}
