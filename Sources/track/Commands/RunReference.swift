import ArgumentParser
import Tracking

extension Store {
  /// Resolves a run reference (id, name, UUID prefix, latest, latest~N) for a command.
  func resolve(_ reference: String) throws -> Run {
    try resolveRun(reference)
  }
}

/// The help text of a RUN argument.
enum RunArgumentHelp {
  static let text = ArgumentHelp(
    "A run: id, name, UUID prefix, `latest` or `latest~N`.", valueName: "run")
}
