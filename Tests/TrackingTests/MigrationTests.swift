import Foundation
import Testing
import TestSupport

@testable import Tracking
@testable import TrackingSQLite

/// Embedded migrations, upgrades, and files the store must refuse without writing.
struct MigrationTests {
  @Test func embeddedMigrationsMatchTheSQLFiles() throws {
    let folder = SourceTree.root.appendingPathComponent("Migrations")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(files.count >= 2)
    #expect(
      EmbeddedMigrations.all.map(\.name) == files,
      "run scripts/embed-migrations.sh after changing Migrations/")
    for (name, embedded) in EmbeddedMigrations.all where files.contains(name) {
      var text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
      if text.hasSuffix("\n") { text.removeLast() }
      #expect(
        embedded == text, "\(name) differs from its embedded copy: run scripts/embed-migrations.sh")
    }
    // Numbered 0001, 0002, ... without gaps: the number is the schema version.
    for (offset, name) in files.enumerated() {
      #expect(name.hasPrefix(String(format: "%04d_", offset + 1)), "\(name)")
    }
  }

  /// Knowledge written before migration 8 reads back without logits (NULL).
  @Test func knowledgeFromBeforeTheLogitsColumnReadsWithoutLogits() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("old.db")
    let logitsMigration = try #require(
      EmbeddedMigrations.all.firstIndex { $0.name == "0008_knowledge_logits.sql" })
    do {
      let database = try Database(path: path, readOnly: false, create: true)
      try database.executeScript("PRAGMA journal_mode = WAL")
      try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(logitsMigration)))
        .migrate(database)
      try database.executeScript(
        """
        INSERT INTO runs (uuid, name, status, created_at, heartbeat_at)
        VALUES ('0a1b2c3d-0000-0000-0000-000000000000', 'replay', 'finished', 1e9, 1e9);
        INSERT INTO blobs VALUES
          ('a12871fee210fb8619291eaea194581cbd2531e4b23759d225f6806923f63222', 2, x'0102', 1e9);
        INSERT INTO knowledge (run_id, source_run_id, features_sha256, target, task, added_at)
        VALUES (1, 1, 'a12871fee210fb8619291eaea194581cbd2531e4b23759d225f6806923f63222', 1, 1, 1e9);
        """)
    }
    let store = try SQLiteStore(path: path)
    let entries = try store.knowledgeBase(of: 1)
    #expect(entries.map(\.features) == [Data([1, 2])])
    #expect(entries.map(\.logits) == [nil])
    #expect(try store.check().isOK)
  }

  @Test func upgradesAFileMadeByTheFirstMigration() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("old.db")
    do {
      let database = try Database(path: path, readOnly: false, create: true)
      try database.executeScript("PRAGMA journal_mode = WAL")
      try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(1))).migrate(database)
      try database.executeScript(
        """
        INSERT INTO runs (uuid, name, status, created_at, heartbeat_at)
        VALUES ('0a1b2c3d-0000-0000-0000-000000000000', 'old-run', 'finished', 1e9, 1e9);
        INSERT INTO params VALUES (1, 'lr', '0.1', 0.1);
        INSERT INTO metric_keys VALUES (1, 'loss');
        INSERT INTO metrics VALUES (1, 1, 0, NULL, NULL, 2.0, 1e9), (1, 1, 1, NULL, NULL, NULL, 1e9);
        INSERT INTO metric_latest VALUES (1, 1, 1, NULL, 1e9);
        """)
      #expect(try database.integer("PRAGMA user_version") == 1)
      #expect(
        try database.integer(
          "SELECT count(*) FROM sqlite_schema WHERE name = 'run_overview'") == 0)
    }
    // Read-only cannot upgrade: a clear error, nothing written.
    let before = fileBytes(path)
    expectTrackingError(.readOnly) { try SQLiteStore(path: path, readOnly: true) }
    #expect(fileBytes(path) == before)

    let store = try SQLiteStore(path: path)
    #expect(store.schemaVersion == EmbeddedMigrations.all.count)
    let applied = try store.query("SELECT version, name FROM schema_migrations ORDER BY version")
    #expect(applied.rows.map { $0[1] } == EmbeddedMigrations.all.map { .text($0.name) })
    let overview = try store.query(
      "SELECT name, status, json_extract(params, '$.lr') FROM run_overview")
    #expect(overview.rows == [[.text("old-run"), .text("finished"), .real(0.1)]])
    #expect(try store.resolveRun("0a1b").name == "old-run")
    let series = try store.metricSeries(of: 1, key: "loss").map(\.value)
    #expect(series.count == 2 && series[0] == 2.0 && series[1].isNaN)  // copied by migration 3
    let run = try store.startRun(name: "new-run", experiment: nil, params: [:])
    try run.log("loss", value: 1, step: 0)
    try run.finish()
    try store.deleteRun(1)  // the trigger from migration 3 deletes the old run's points
    #expect(try store.query("SELECT run_id, count(*) FROM metrics GROUP BY run_id").rows
      == [[.integer(run.id), .integer(1)]])
    #expect(try store.check().isOK)
    // Opening again is a no-op.
    let again = try SQLiteStore(path: path)
    #expect(again.schemaVersion == store.schemaVersion)
    #expect(
      try again.query("SELECT count(*) FROM schema_migrations").rows
        == [[.integer(Int64(EmbeddedMigrations.all.count))]])
  }

  @Test func refusesANewerSchemaWithoutWriting() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("future.db")
    do {
      let store = try SQLiteStore(path: path)
      try store.withDatabase { try $0.executeScript("PRAGMA user_version = 99") }
    }
    let before = try #require(fileBytes(path))
    let error = expectTrackingError(.newerSchema) { try SQLiteStore(path: path) }
    #expect(error?.message.contains("99") == true)
    expectTrackingError(.newerSchema) { try SQLiteStore(path: path, readOnly: true) }
    #expect(fileBytes(path) == before)
  }

  @Test func refusesAFileThatIsNotSQLite() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("notes.db")
    let text = Data(String(repeating: "these are my notes, not a database\n", count: 100).utf8)
    try text.write(to: URL(fileURLWithPath: path))
    let error = expectTrackingError(.notADatabase) { try SQLiteStore(path: path) }
    #expect(error?.message.contains(path) == true)
    expectTrackingError(.notADatabase) { try SQLiteStore(path: path, readOnly: true) }
    #expect(fileBytes(path) == text)
    #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
  }

  @Test func refusesAnotherApplicationsSQLiteFile() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("other.db")
    do {
      let database = try Database(path: path, readOnly: false, create: true)
      try database.executeScript(
        "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')")
    }
    let before = try #require(fileBytes(path))
    let error = expectTrackingError(.notATrackStore) { try SQLiteStore(path: path) }
    #expect(error?.message.contains("not a track store") == true)
    expectTrackingError(.notATrackStore) { try SQLiteStore(path: path, readOnly: true) }
    #expect(fileBytes(path) == before)  // still in rollback-journal mode, nothing added
  }

  /// A closed store in `folder` holding one finished run named "kept"; returns its path.
  static func storeWithOneFinishedRun(in folder: TemporaryFolder) throws -> String {
    let path = folder.path("track.db")
    let store = try SQLiteStore(path: path)
    let run = try store.startRun(name: "kept", experiment: nil, params: [:])
    try run.finish()
    return path
  }

  @Test func readOnlyFileIsAClearErrorAndStillReadable() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = try Self.storeWithOneFinishedRun(in: folder)
    try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
    let before = fileBytes(path)
    let error = expectTrackingError(.readOnly) { try SQLiteStore(path: path) }
    #expect(error?.message.contains("read-only") == true)
    #expect(fileBytes(path) == before)
    let reader = try SQLiteStore(path: path, readOnly: true)
    #expect(try reader.runs().map(\.name) == ["kept"])
    expectTrackingError(.readOnly) { try reader.startRun(name: "x", experiment: nil, params: [:]) }
    expectTrackingError(.readOnly) { try reader.deleteRun(1) }
    #expect(fileBytes(path) == before)
  }

  @Test func readOnlyFolderIsAClearErrorAndStillReadable() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = try Self.storeWithOneFinishedRun(in: folder)
    // The writer checkpointed (passively) on close, so a reader that must ignore the WAL (an
    // immutable open in a read-only folder) still sees everything; the WAL file may stay.
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.url.path)
    let before = fileBytes(path)
    let error = expectTrackingError(.readOnly) { try SQLiteStore(path: path) }
    #expect(error?.message.contains("folder") == true)
    expectTrackingError(.readOnly) { try SQLiteStore(path: folder.path("new.db")) }
    #expect(!FileManager.default.fileExists(atPath: folder.path("new.db")))
    let reader = try SQLiteStore(path: path, readOnly: true)
    #expect(try reader.runs().map(\.name) == ["kept"])
    #expect(try reader.query("SELECT name FROM runs").rows == [[.text("kept")]])
    #expect(fileBytes(path) == before)
  }

  @Test func missingFolderOrFileIsAClearError() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    expectTrackingError(.cannotOpen) { try SQLiteStore(path: folder.path("no/such/track.db")) }
    expectTrackingError(.cannotOpen) { try SQLiteStore(path: folder.path("absent.db"), readOnly: true) }
    expectTrackingError(.cannotOpen) { try SQLiteStore(path: folder.url.path) }
  }
}

/// Bytes of a file, for "nothing was written" checks.
private func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
