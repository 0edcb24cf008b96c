import ArgumentParser
import Tracking

extension Store {
  /// Resolves a run reference (id, name, UUID prefix, latest, latest~N) for a command.
  ///
  /// The store reads an all-digit reference only as an id, so a UUID starting `440883…`
  /// could not be named by its prefix; when no run has that id, the prefix is tried here
  /// (run names cannot be all digits).
  func resolve(_ reference: String) throws -> Run {
    do {
      return try resolveRun(reference)
    } catch let error as TrackingError where error.code == .runNotFound {
      let text = reference.trimmingCharacters(in: .whitespaces)
      guard !text.isEmpty, text.allSatisfy(\.isNumber) else { throw error }
      let all = try runs()
      let byUUID = text.count >= 4 ? all.filter { $0.uuid.hasPrefix(text) } : []
      for matches in [byUUID] where !matches.isEmpty {
        if matches.count == 1 { return try resolveRun(String(matches[0].id)) }
        let lines = matches.sorted { $0.id < $1.id }.prefix(20).map {
          "  id \($0.id)  \($0.name)  \($0.uuid.prefix(8))  \($0.status.rawValue)"
        }
        throw CLIError(
          .runNotFound, "'\(reference)' matches \(matches.count) runs; name one by id or a "
            + "longer UUID prefix:\n" + lines.joined(separator: "\n"))
      }
      throw error
    }
  }
}

/// The help text of a RUN argument.
enum RunArgumentHelp {
  static let text = ArgumentHelp(
    "A run: id, name, UUID prefix, `latest` or `latest~N`.", valueName: "run")
}
