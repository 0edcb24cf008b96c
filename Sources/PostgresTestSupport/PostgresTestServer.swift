import Foundation
import PostgresNIO
import TrackingPostgres

/// The PostgreSQL server the tests use, from `TRACK_TEST_POSTGRES_URL` (a URL of a role that
/// may create databases, e.g. `postgres://track:secret@127.0.0.1:5432/postgres`), and a fresh
/// database on it for each test.
///
/// `scripts/postgres-test-cluster.sh start FOLDER` starts a throwaway server and prints such a
/// URL. Without the variable the PostgreSQL tests are left out, except in CI (`CI` set), where
/// they run and fail: CI must not pass without having tested the backend.
///
/// ```swift
/// let database = try PostgresTestDatabase.create()
/// defer { database.drop() }
/// let store = try PostgresStore(url: database.url)
/// ```
public enum PostgresTestServer {
  /// The variable that names the server.
  public static let variable = "TRACK_TEST_POSTGRES_URL"

  /// The server's URL, if configured.
  public static var url: String? {
    guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
      return nil
    }
    return value
  }

  /// Whether the PostgreSQL tests run: a server is configured, or this is CI (where a missing
  /// server is a failure, not a reason to skip).
  public static var isWanted: Bool {
    url != nil || ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } == true
  }

  /// The configured URL, or an error that says how to configure one.
  public static func requireURL() throws -> PostgresURL {
    guard let url else {
      throw PostgresTestError(
        "CI is set but \(variable) is not: the PostgreSQL tests need a server. Start one with "
          + "`scripts/postgres-test-cluster.sh start FOLDER` and export the URL it prints.")
    }
    return try PostgresURL(parsing: url)
  }
}

/// A failure to set up the test server, with what to do.
public struct PostgresTestError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// A database created for one test on the test server, dropped at the end.
public struct PostgresTestDatabase: Sendable {
  /// The database's name (`track_test_` and random hex).
  public let name: String
  /// Its URL, with the server's user and password.
  public let url: String

  /// Creates an empty database on the test server.
  public static func create() throws -> PostgresTestDatabase {
    let server = try PostgresTestServer.requireURL()
    let name = "track_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
      .prefix(16)
    try administer(server, "CREATE DATABASE \(name)")
    var url = server
    url.database = name
    var text = "postgres://\(url.user)"
    if let password = url.password {
      text += ":" + (password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }
    text += "@\(url.host):\(url.port)/\(name)"
    if url.tls != .disable { text += "?sslmode=\(url.tls.rawValue)" }
    return PostgresTestDatabase(name: name, url: text)
  }

  /// Drops the database, closing any connection still open to it.
  public func drop() {
    guard let server = try? PostgresTestServer.requireURL() else { return }
    _ = try? PostgresTestDatabase.administer(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
  }

  /// Runs one statement in this database, as the server's user (to change what a store
  /// cannot, e.g. damage a blob); returns the rows' first column, which must be text (cast it:
  /// `count(*)::text`).
  @discardableResult
  public func execute(_ sql: String) throws -> [String?] {
    var server = try PostgresTestServer.requireURL()
    server.database = name
    return try PostgresTestDatabase.administer(server, sql)
  }

  /// Runs one statement in the database `server` names; returns the rows' first column (text).
  @discardableResult
  public static func administer(_ server: PostgresURL, _ sql: String) throws -> [String?] {
    var logger = Logger(label: "track.tests.postgres")
    logger.logLevel = .critical
    let configuration = PostgresConnection.Configuration(
      host: server.host, port: server.port, username: server.user, password: server.password,
      database: server.database, tls: .disable)
    let connection: PostgresConnection
    do {
      connection = try PostgresConnection.connect(
        on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1,
        logger: logger
      ).wait()
    } catch {
      throw PostgresTestError(
        "Cannot reach the test server \(server.redacted) (\(PostgresTestServer.variable)): "
          + "\(String(reflecting: error).prefix(300)). Is it running?")
    }
    defer { try? connection.close().wait() }
    do {
      let result = try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait()
      return result.rows.map { row in
        row.first.flatMap { cell in (try? cell.decode(String?.self)) ?? nil }
      }
    } catch {
      throw PostgresTestError("\(sql) failed on \(server.redacted): \(String(reflecting: error).prefix(300))")
    }
  }
}
