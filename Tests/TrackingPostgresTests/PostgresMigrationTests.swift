import Foundation
import PostgresTestSupport
import Testing
import TestSupport
import Tracking

@testable import TrackingPostgres

/// The PostgreSQL migrations: embedded, numbered as SQLite's, recorded, applied once by
/// concurrent openers, and databases the store must refuse without writing.
@Suite(.enabled(if: PostgresTestServer.isWanted, "needs \(PostgresTestServer.variable)"))
struct PostgresMigrationTests {
  @Test func embeddedMigrationsMatchTheSQLFilesAndSQLitesNumbers() throws {
    let folder = SourceTree.root.appendingPathComponent("Migrations/postgres")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(
      EmbeddedMigrations.all.map(\.name) == files,
      "run scripts/embed-migrations.sh after changing Migrations/postgres/")
    for (name, embedded) in EmbeddedMigrations.all where files.contains(name) {
      var text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
      if text.hasSuffix("\n") { text.removeLast() }
      #expect(embedded == text, "\(name) differs from its embedded copy")
    }
    // The same numbers and names as the SQLite migrations: one schema version, two dialects.
    let sqlite = try FileManager.default.contentsOfDirectory(
      atPath: SourceTree.root.appendingPathComponent("Migrations").path
    ).filter { $0.hasSuffix(".sql") }.sorted()
    #expect(files == sqlite, "Migrations/postgres/ must mirror Migrations/ file for file")
  }

  @Test func migrationsAreRecorded() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let store = try PostgresStore(url: database.url)
    #expect(store.schemaVersion == EmbeddedMigrations.all.count)
    let applied = try store.query("SELECT version, name FROM schema_migrations ORDER BY version")
    #expect(applied.rows.map { $0[1] } == EmbeddedMigrations.all.map { .text($0.name) })
    #expect(applied.rows.map { $0[0] } == (1...EmbeddedMigrations.all.count).map { .integer(Int64($0)) })
    // Opening again applies nothing.
    #expect(try PostgresStore(url: database.url).schemaVersion == store.schemaVersion)
    #expect(try store.query("SELECT count(*) FROM schema_migrations").rows == [[.integer(Int64(EmbeddedMigrations.all.count))]])
  }

  @Test func concurrentFirstOpensMigrateOnce() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let errors = LockedList()
    DispatchQueue.concurrentPerform(iterations: 6) { _ in
      do {
        let store = try PostgresStore(url: database.url)
        _ = try store.startRun(name: "racer", experiment: "race", params: [:])
      } catch {
        errors.append("\(error)")
      }
    }
    #expect(errors.items.isEmpty, "\(errors.items)")
    let store = try PostgresStore(url: database.url)
    #expect(try store.query("SELECT count(*) FROM schema_migrations").rows == [[.integer(Int64(EmbeddedMigrations.all.count))]])
    #expect(try store.runs().map(\.id).sorted() == [1, 2, 3, 4, 5, 6])
  }

  @Test func aNewerSchemaIsRefusedWithNothingWritten() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    _ = try PostgresStore(url: database.url)
    try database.execute(
      "INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 0)")
    let before = try database.execute(
      "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
        + "WHERE schemaname = 'public'")
    for readOnly in [false, true] {
      let error = #expect(throws: TrackingError.self) {
        try PostgresStore(url: database.url, readOnly: readOnly)
      }
      #expect(error?.code == .newerSchema)
      #expect(error?.message.contains("schema version 99") == true)
      #expect(error?.message.contains("Nothing was written") == true)
    }
    #expect(
      try database.execute(
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
          + "WHERE schemaname = 'public'") == before)
    #expect(try database.execute("SELECT count(*)::text FROM schema_migrations") == ["\(EmbeddedMigrations.all.count + 1)"])
  }

  @Test func aDatabaseOfAnotherApplicationIsRefused() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    try database.execute("CREATE TABLE invoices (id int)")
    let error = #expect(throws: TrackingError.self) { try PostgresStore(url: database.url) }
    #expect(error?.code == .notATrackStore)
    #expect(try database.execute("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'") == ["1"])
    let empty = try PostgresTestDatabase.create()
    defer { empty.drop() }
    let readOnly = #expect(throws: TrackingError.self) {
      try PostgresStore(url: empty.url, readOnly: true)
    }
    #expect(readOnly?.code == .notATrackStore)
    #expect(try empty.execute("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'") == ["0"])
  }
}

/// Strings appended from several threads.
final class LockedList: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: [String] = []
  func append(_ item: String) {
    lock.lock()
    storage.append(item)
    lock.unlock()
  }
  var items: [String] {
    lock.lock()
    defer { lock.unlock() }
    return storage
  }
}
