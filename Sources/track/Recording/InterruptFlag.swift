import Dispatch
import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a flag the experiment's `shouldStop` polls, so the
/// run stops between two batches and is marked `killed` with everything logged so far kept.
/// A second signal exits at once.
final class InterruptFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var raised = false
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
    lock.lock()
    let second = raised
    raised = true
    lock.unlock()
    if second {
      StandardError.write("\ninterrupted twice: exiting without cleanup\n")
      exit(ExitStatus.interrupted.rawValue)
    }
    StandardError.write("\ninterrupt: stopping after the current batch (Ctrl-C again to quit)\n")
  }
}
