import ArgumentParser
import Experiments
import Foundation
import Learning
import Tracking
import TrackServer

/// Runs the command line and turns every error into a message and an exit status.
enum ErrorReporter {
  /// Parses the process arguments, runs the command and exits with its status.
  static func runMain() -> Never {
    let arguments = Array(CommandLine.arguments.dropFirst())
    var command: ParsableCommand
    do {
      command = try TrackCommand.parseAsRoot(arguments)
    } catch {
      let failed = TrackCommand.exitCode(for: error) != .success
      let message = TrackCommand.fullMessage(for: error)
      let negative = failed ? NegativeRunReference.error(in: arguments, parserMessage: message) : nil
      exit(report(negative ?? error))
    }
    do {
      try command.run()
      exit(ExitStatus.success.rawValue)
    } catch {
      exit(report(error))
    }
  }

  /// Prints `error` (help and version go to standard output) and returns the exit status.
  static func report(_ error: Error) -> Int32 {
    let (status, message) = classify(error)
    if status == ExitStatus.success.rawValue {
      if !message.isEmpty { print(message) }
      return status
    }
    if !message.isEmpty { StandardError.write(message + "\n") }
    return status
  }

  /// The exit status and message for an error.
  static func classify(_ error: Error) -> (Int32, String) {
    switch error {
    case let error as CLIError:
      return (error.status.rawValue, error.message.isEmpty ? "" : "error: \(error.message)")
    case let error as SpecError:
      return (ExitStatus.usage.rawValue, "error: \(error.message)")
    case let error as ExperimentError:
      return (status(of: error).rawValue, "error: \(error.message)")
    case let error as TrackingError:
      return (status(of: error).rawValue, "error: \(error)")
    case let error as LearningError:
      return (status(of: error).rawValue, "error: \(error)")
    case let error as ServerError:
      return (ExitStatus.usage.rawValue, "error: \(error)")
    default:
      let code = TrackCommand.exitCode(for: error)
      let message = TrackCommand.fullMessage(for: error)
      if code == .success { return (0, message) }
      // ArgumentParser reports usage errors as EX_USAGE (64); track documents 2.
      if code == .validationFailure { return (ExitStatus.usage.rawValue, message) }
      if error is ExitCode { return (code.rawValue, "") }
      // ArgumentParser gives every other error 1, which here means "a check failed".
      if code == .failure { return (ExitStatus.runtime.rawValue, message) }
      return (code.rawValue, message)
    }
  }

  /// The exit status for a storage error.
  static func status(of error: TrackingError) -> ExitStatus {
    switch error.code {
    case .runNotFound, .ambiguousRun, .experimentNotFound, .artifactNotFound: return .runNotFound
    case .invalidFilter, .invalidName, .invalidValue, .invalidQuery: return .usage
    case .notADatabase, .notATrackStore, .newerSchema, .readOnly, .cannotOpen, .paramConflict,
      .runNotActive, .blobNotFound, .blobCorrupt, .writeInQuery, .busy, .storage,
      .experimentExists:
      return .database
    }
  }

  /// The exit status for an error of the application library.
  static func status(of error: ExperimentError) -> ExitStatus {
    switch error.code {
    case .invalidRequest: return .usage
    case .noStore: return .database
    case .interrupted: return .interrupted
    }
  }

  /// The exit status for a learner error.
  static func status(of error: LearningError) -> ExitStatus {
    switch error {
    case .cancelled: return .interrupted
    // --from named a run this spec cannot continue (other model, other tasks): the
    // command was wrong, not the experiment. The new run stays, marked failed.
    case .invalidSpec, .incompatibleResume: return .usage
    default: return .experimentFailed
    }
  }
}
