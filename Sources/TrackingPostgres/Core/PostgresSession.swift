import Foundation
import NIOSSL
import PostgresNIO
import Tracking

/// One connection to the server, used synchronously: each call sends one statement through
/// postgres-nio's EventLoopFuture API and waits for its result on the caller's thread (never
/// an event-loop thread: the store's callers are the CLI's and the training loop's threads).
///
/// Not thread-safe by itself: `PostgresStore` calls it under its lock.
final class PostgresSession {
  /// The one event loop every connection of the process runs on (one thread is plenty for a
  /// few connections; the work is the server's).
  static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

  /// postgres-nio logs at debug and trace levels; track reports through its errors instead.
  static let logger: Logger = {
    var logger = Logger(label: "track.postgres")
    logger.logLevel = .critical
    return logger
  }()

  let url: PostgresURL
  private var connection: PostgresConnection
  /// The SQLSTATE of the last statement that failed on the server ("23505": a unique
  /// violation), for a caller that handles one kind of failure itself right after it (a
  /// later ROLLBACK does not clear it).
  private(set) var lastSQLState: String?
  /// Whether the last statement that failed never left this process (the connection was
  /// already closed): the server cannot have run it.
  private(set) var lastStatementUnsent = false

  /// Connects and logs in; `.cannotOpen` (or `.busy` when the server is full) naming the
  /// server and database, never the password.
  init(url: PostgresURL, readOnly: Bool) throws {
    self.url = url
    connection = try PostgresSession.connect(url)
    if readOnly { try execute("SET default_transaction_read_only = on") }
  }

  deinit {
    try? connection.close().wait()
  }

  /// Whether the connection is gone (the server restarted, the network dropped it, an
  /// administrator ended it): closed, or a statement failed because it was lost.
  var isClosed: Bool { connection.isClosed || lostConnection }
  private var lostConnection = false

  /// Connects again after the connection was lost.
  func reconnect(readOnly: Bool) throws {
    try? connection.close().wait()
    connection = try PostgresSession.connect(url)
    lostConnection = false
    if readOnly { try execute("SET default_transaction_read_only = on") }
  }

  private static func connect(_ url: PostgresURL) throws -> PostgresConnection {
    var configuration = PostgresConnection.Configuration(
      host: url.host, port: url.port, username: url.user, password: url.password,
      database: url.database, tls: try tls(url))
    configuration.options.connectTimeout = .seconds(10)
    do {
      return try PostgresConnection.connect(
        on: eventLoops.next(), configuration: configuration, id: 1, logger: logger
      ).wait()
    } catch {
      throw PostgresErrors.connecting(error, url: url)
    }
  }

  private static func tls(_ url: PostgresURL) throws -> PostgresConnection.Configuration.TLS {
    guard url.tls != .disable else { return .disable }
    var settings = TLSConfiguration.makeClientConfiguration()
    if url.tls != .verifyFull { settings.certificateVerification = .none }
    let context: NIOSSLContext
    do {
      context = try NIOSSLContext(configuration: settings)
    } catch {
      throw TrackingError(
        .cannotOpen, "Cannot set up TLS for \(url.redacted): \(error).",
        detail: String(describing: error))
    }
    return url.tls == .prefer ? .prefer(context) : .require(context)
  }

  /// Runs one statement and returns its rows and command tag.
  ///
  /// Fails (rather than waits forever) when the connection closes before the answer: a query
  /// sent on a connection the server was just ending was seen never to complete.
  @discardableResult
  func query(_ sql: String, _ arguments: PostgresBindings = PostgresBindings())
    throws -> PostgresQueryResult
  {
    let connection = try openConnection(for: sql)
    do {
      let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
      connection.query(
        PostgresQuery(unsafeSQL: sql, binds: arguments), logger: PostgresSession.logger
      ).cascade(to: answer)
      connection.closeFuture.whenComplete { _ in answer.fail(ConnectionClosed(sent: true)) }
      return try answer.futureResult.wait()
    } catch {
      throw failed(error, sql: sql)
    }
  }

  /// The connection, unless it is closed already (then the statement is never sent).
  func openConnection(for sql: String) throws -> PostgresConnection {
    guard !connection.isClosed else { throw failed(ConnectionClosed(sent: false), sql: sql) }
    return connection
  }

  /// Records a failed statement (its SQLSTATE, whether it was sent, a lost connection) and
  /// returns the error to throw.
  func failed(_ error: any Error, sql: String) -> TrackingError {
    lastSQLState = PostgresErrors.sqlState(error)
    lastStatementUnsent =
      (error as? PSQLError)?.code == .clientClosedConnection
      || (error as? ConnectionClosed)?.sent == false
    if PostgresErrors.isConnectionLoss(error) { lostConnection = true }
    return PostgresErrors.statement(error, sql: sql, url: url)
  }

  /// Runs one statement; returns how many rows it inserted, updated or deleted.
  @discardableResult
  func execute(_ sql: String, _ arguments: PostgresBindings = PostgresBindings()) throws -> Int {
    try query(sql, arguments).metadata.rows ?? 0
  }

  /// The rows of one statement, each decoded by `decode`.
  func rows<T>(
    _ sql: String, _ arguments: PostgresBindings = PostgresBindings(),
    _ decode: (PostgresCells) throws -> T
  ) throws -> [T] {
    try query(sql, arguments).rows.map { try decode(PostgresCells($0, sql: sql)) }
  }

  /// The first row of one statement, decoded, or nil.
  func first<T>(
    _ sql: String, _ arguments: PostgresBindings = PostgresBindings(),
    _ decode: (PostgresCells) throws -> T
  ) throws -> T? {
    guard let row = try query(sql, arguments).rows.first else { return nil }
    return try decode(PostgresCells(row, sql: sql))
  }

  /// The first column of the first row as an integer (nil for no row or NULL).
  func integer(_ sql: String, _ arguments: PostgresBindings = PostgresBindings()) throws -> Int64? {
    try first(sql, arguments) { try $0.optionalInt64(0) } ?? nil
  }
}

/// The connection closed before a statement's answer came (`sent`: after it was sent).
struct ConnectionClosed: Error, CustomStringConvertible {
  var sent: Bool
  var description: String { "the connection was closed" }
}
