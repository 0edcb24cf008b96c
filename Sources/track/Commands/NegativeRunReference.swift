import ArgumentParser

/// A negative number where a RUN goes (`track show -1`): ArgumentParser reads `-1` as an
/// option and answered "Missing expected argument '<run>'", which sends people looking for
/// a missing argument. Run ids start at 1, so the number names no run.
enum NegativeRunReference {
  /// The commands whose positional arguments are runs.
  static let runCommands: Set<String> = ["show", "diff", "metrics", "matrix", "export", "rm"]

  /// The error to report instead of ArgumentParser's `parserMessage` when `arguments`
  /// (without the program name) put a negative number where a run goes, or after `--from`;
  /// nil otherwise. A negative option value is explained only when the parser's message is
  /// about it (not a command's own check such as "--limit must be 0 or more, not -1").
  static func error(in arguments: [String], parserMessage: String) -> CLIError? {
    guard let command = arguments.first else { return nil }
    for (index, argument) in arguments.enumerated().dropFirst() where isNegativeNumber(argument) {
      let previous = arguments[index - 1]
      if previous == "--from" || (runCommands.contains(command) && !isOption(previous)) {
        return CLIError(
          .runNotFound, "run id \(argument) does not exist: run ids start at 1 "
            + "(track runs lists them; `latest~N` counts back from the newest)")
      }
      let aboutIt = parserMessage.contains("'\(argument)'") || parserMessage.contains("Missing value")
      if isOption(previous), aboutIt {
        return CLIError(
          .usage, "\(previous) \(argument): negative numbers are not accepted here; "
            + "see track \(command) --help")
      }
    }
    return nil
  }

  private static func isNegativeNumber(_ text: String) -> Bool {
    text.count > 1 && text.first == "-" && text.dropFirst().allSatisfy(\.isNumber)
  }

  private static func isOption(_ text: String) -> Bool {
    text.hasPrefix("-") && !isNegativeNumber(text)
  }
}
