import Foundation

/// The run loggers of this process that have not finished, so that a process ending without
/// `finish()` (a forgotten call, `exit`, the end of `main`) still writes the points it had
/// buffered: nothing logged is lost to the buffer. A killed process can still lose up to one
/// flush interval; its run reads as `crashed`.
enum LiveRunLoggers {
  /// The registry's state, only touched under its lock.
  // @unchecked: `entries` and `exitHookInstalled` are read and written only under `lock`.
  private final class Registry: @unchecked Sendable {
    let lock = NSLock()
    var entries: [ObjectIdentifier: Entry] = [:]
    var exitHookInstalled = false
  }

  private final class Entry {
    weak var logger: RunLogger?
    init(_ logger: RunLogger) { self.logger = logger }
  }

  private static let registry = Registry()

  /// Tracks a logger until it finishes; the first one installs the exit hook.
  static func add(_ logger: RunLogger) {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.entries[ObjectIdentifier(logger)] = Entry(logger)
    if !registry.exitHookInstalled {
      registry.exitHookInstalled = true
      atexit { LiveRunLoggers.flushAll() }
    }
  }

  /// Stops tracking a logger (it finished or was released).
  static func remove(_ logger: RunLogger) {
    registry.lock.lock()
    registry.entries[ObjectIdentifier(logger)] = nil
    registry.lock.unlock()
  }

  /// Writes what every live logger still buffers (best effort: the process is ending).
  static func flushAll() {
    registry.lock.lock()
    let loggers = registry.entries.values.compactMap(\.logger)
    registry.lock.unlock()
    for logger in loggers { try? logger.flush() }
  }
}
