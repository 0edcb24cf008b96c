import Dispatch
import Experiments
import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a flag the experiment's `shouldStop` polls, so the
/// run stops between two batches and is marked `killed` with everything logged so far kept.
/// A second signal exits at once, unless it comes within `repeatWindow` of the first: tools
/// such as `timeout -s INT` and process managers deliver one interrupt to the process and
/// again to its group, and that must not skip marking the run `killed`.
// @unchecked: `raised`, `firstRaisedAt` and `sources` are only touched under `lock` (or, for
// `sources`, by install/uninstall on the command's own thread).
final class InterruptFlag: @unchecked Sendable {
  /// Seconds after the first signal during which another one counts as the same interrupt.
  static let repeatWindow: TimeInterval = 1
  private let lock = NSLock()
  private var raised = false
  private var firstRaisedAt: TimeInterval = 0
  private var sources: [DispatchSourceSignal] = []

  /// Installs the handlers (the default actions are ignored while installed).
  func install() {
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(
        signal: signalNumber, queue: .global(qos: .userInitiated))
      source.setEventHandler { [weak self] in self?.raise() }
      source.resume()
      sources.append(source)
    }
  }

  /// Restores the default signal actions.
  func uninstall() {
    for source in sources { source.cancel() }
    sources.removeAll()
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  /// Whether a signal arrived.
  var isRaised: Bool {
    lock.lock()
    defer { lock.unlock() }
    return raised
  }

  private func raise() {
    let now = ProcessInfo.processInfo.systemUptime
    lock.lock()
    let second = raised
    let repeated = second && now - firstRaisedAt < InterruptFlag.repeatWindow
    if !second { firstRaisedAt = now }
    raised = true
    lock.unlock()
    if repeated { return }
    if second {
      StandardError.write(
        "\ninterrupted twice: exiting without cleanup (the run stays 'running'; "
          + "`track rm` it or keep it)\n")
      exit(ExitStatus.interrupted.rawValue)
    }
    StandardError.write("\ninterrupt: stopping after the current batch (Ctrl-C again to quit)\n")
  }
}
