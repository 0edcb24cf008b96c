import Foundation
import PostgresNIO

extension PostgresSession {
  /// Streams `rows` (PostgreSQL's text COPY format, tab-separated, `\N` for NULL) into
  /// `table`'s `columns` with `COPY … FROM STDIN`: the fastest way rows reach the server.
  ///
  /// postgres-nio offers COPY only as an async API. It runs here as a task whose executor is
  /// the connection's event loop (not Swift's cooperative pool, which a blocked caller could
  /// starve), and the caller's thread waits for it; like every statement, the wait ends when
  /// the connection closes.
  func copy(into table: String, columns: [String], rows: ByteBuffer) throws {
    let sql = "COPY \(table) FROM STDIN"
    let connection = try openConnection(for: sql)
    let outcome = CopyOutcome()
    let executor = EventLoopExecutor(connection.eventLoop)
    Task(executorPreference: executor) {
      do {
        try await connection.copyFrom(
          table: table, columns: columns, logger: PostgresSession.logger
        ) { writer in try await writer.write(rows) }
        outcome.finish(nil)
      } catch {
        outcome.finish(error)
      }
    }
    connection.closeFuture.whenComplete { _ in outcome.finish(ConnectionClosed(sent: true)) }
    if let error = outcome.wait() { throw failed(error, sql: sql) }
  }
}

/// The one result of a COPY, set once (by the task or by the connection closing).
// @unchecked: `finished` and `error` are only touched under `lock`.
private final class CopyOutcome: @unchecked Sendable {
  private let lock = NSLock()
  private var finished = false
  private var error: (any Error)?
  private let done = DispatchSemaphore(value: 0)

  func finish(_ error: (any Error)?) {
    lock.lock()
    let first = !finished
    if first {
      finished = true
      self.error = error
    }
    lock.unlock()
    if first { done.signal() }
  }

  func wait() -> (any Error)? {
    done.wait()
    lock.lock()
    defer { lock.unlock() }
    return error
  }
}

/// Runs a task's jobs on an event loop.
private final class EventLoopExecutor: TaskExecutor {
  let eventLoop: any EventLoop

  init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
  }
}
