import Experiments
/// An error the CLI reports itself: a message for standard error and an exit status.
struct CLIError: Error, CustomStringConvertible {
  var status: ExitStatus
  var message: String

  init(_ status: ExitStatus, _ message: String) {
    self.status = status
    self.message = message
  }

  var description: String { message }
}
