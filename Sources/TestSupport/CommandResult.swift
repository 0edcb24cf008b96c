import Foundation

/// What a finished child process printed and how it exited.
public struct CommandResult: Sendable {
  /// Everything written to standard output.
  public var stdout: String
  /// Everything written to standard error.
  public var stderr: String
  /// The exit status (or 128 + signal when a signal ended it).
  public var status: Int32
}
