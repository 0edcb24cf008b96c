import Foundation
import PostgresTestSupport
import TestSupport
import Testing
import Tracking
import TrackingPostgres
import TrackingSQLite

/// A storage backend under test: makes a fresh, empty store for one test.
///
/// The suite is written once against `any TrackStore`: every test takes a `Backend`
/// (`@Test(arguments: Backend.all)`) and reaches its store only through the protocols, so each
/// backend is held to the same contract. A new backend joins with one entry and its factory:
///
/// ```swift
/// static let postgres = Backend(name: "postgres") {
///   let schema = try PostgresTestSchema.create()          // a fresh, empty database or schema
///   return StoreFixture(
///     store: try PostgresStore(url: schema.url),
///     openReadOnly: { try PostgresStore(url: schema.url, readOnly: true) },
///     remove: schema.drop)
/// }
/// static var all: [Backend] { [.sqlite] + (PostgresTestSchema.isConfigured ? [.postgres] : []) }
/// ```
///
/// A backend that needs a server joins `all` only when the server is configured (an
/// environment variable, `TRACK_TEST_POSTGRES_URL` for PostgreSQL), so the suite still runs on
/// a machine without one; in CI (`CI` set) it always joins, so a missing or unreachable server
/// fails its tests instead of skipping them. What only one
/// backend has (SQL dialect, files, migrations) is tested in that backend's own target.
struct Backend: Sendable, CustomTestStringConvertible {
  /// Shown in test names: `createsARunAndReadsItBack(_:) [sqlite]`.
  let name: String
  /// A fresh, empty store that only this test uses.
  let makeStore: @Sendable () throws -> StoreFixture

  var testDescription: String { name }

  /// Every backend the suite runs against: PostgreSQL when `TRACK_TEST_POSTGRES_URL` names a
  /// server, and always in CI (where a missing server fails its tests instead of skipping).
  static let all: [Backend] = [.sqlite] + (PostgresTestServer.isWanted ? [.postgres] : [])

  /// SQLite on a real file in WAL mode (the store's default for files), not `:memory:`.
  static let sqlite = Backend(name: "sqlite") {
    let folder = try TemporaryFolder(prefix: "track-conformance")
    let path = folder.path("track.db")
    do {
      return StoreFixture(
        store: try SQLiteStore(path: path),
        openReadOnly: { try SQLiteStore(path: path, readOnly: true) },
        remove: folder.remove)
    } catch {
      folder.remove()
      throw error
    }
  }

  /// PostgreSQL: a fresh database on the test server for each test, dropped at the end.
  static let postgres = Backend(name: "postgres") {
    let database = try PostgresTestDatabase.create()
    do {
      return StoreFixture(
        store: try PostgresStore(url: database.url),
        openReadOnly: { try PostgresStore(url: database.url, readOnly: true) },
        remove: database.drop)
    } catch {
      database.drop()
      throw error
    }
  }
}
