import Foundation

/// The run loggers of this process that have not finished, so that a process ending without
/// `finish()` (a forgotten call, `exit`, the end of `main`) still writes the points it had
/// buffered: nothing logged is lost to the buffer. A killed process can still lose up to one
/// flush interval; its run reads as `crashed`.
enum LiveRunLoggers {
  private final class Entry {
    weak var logger: RunLogger?
    init(_ logger: RunLogger) { self.logger = logger }
  }

  private static let lock = NSLock()
  private static var entries: [ObjectIdentifier: Entry] = [:]
  private static var exitHookInstalled = false

  /// Tracks a logger until it finishes; the first one installs the exit hook.
  static func add(_ logger: RunLogger) {
    lock.lock()
    defer { lock.unlock() }
    entries[ObjectIdentifier(logger)] = Entry(logger)
    if !exitHookInstalled {
      exitHookInstalled = true
      atexit { LiveRunLoggers.flushAll() }
    }
  }

  /// Stops tracking a logger (it finished or was released).
  static func remove(_ logger: RunLogger) {
    lock.lock()
    entries[ObjectIdentifier(logger)] = nil
    lock.unlock()
  }

  /// Writes what every live logger still buffers (best effort: the process is ending).
  static func flushAll() {
    lock.lock()
    let loggers = entries.values.compactMap(\.logger)
    lock.unlock()
    for logger in loggers { try? logger.flush() }
  }
}
