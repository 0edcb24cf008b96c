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

  /// Migration 9 moves points from (run, key, step, seq) rows to series: every point keeps
  /// its step, order, value (NaN too) and time; repeats of a step keep their logging order; a
  /// step whose first point another client deleted keeps its next one; removing a run still
  /// removes its points.
  @Test func seriesMigrationKeepsEveryPointAndItsOrder() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let path = folder.path("old.db")
    let seriesMigration = try #require(
      EmbeddedMigrations.all.firstIndex { $0.name == "0009_metric_series.sql" })
    let columns = "run_id, key_id, step, epoch, task, value, wall_time"
    var before: [[StoreValue]] = []
    do {
      let database = try Database(path: path, readOnly: false, create: true)
      try database.executeScript("PRAGMA journal_mode = WAL")
      try Migrator(migrations: Array(EmbeddedMigrations.all.prefix(seriesMigration)))
        .migrate(database)
      try database.executeScript(
        """
        INSERT INTO runs (uuid, name, status, created_at, heartbeat_at) VALUES
          ('0a1b2c3d-0000-0000-0000-000000000001', 'a', 'finished', 1e9, 1e9),
          ('0a1b2c3d-0000-0000-0000-000000000002', 'b', 'finished', 2e9, 2e9);
        INSERT INTO metric_keys (name) VALUES ('loss'), ('acc');
        INSERT INTO metrics (run_id, key_id, step, epoch, task, value, wall_time) VALUES
          (1, 1, 0, 1, 1, 0.5, 1000000000.5), (1, 1, 1, 1, 1, 0.4, 1000000001.0),
          (1, 1, 1, 1, 1, 0.41, 1000000001.25), (1, 1, 1, 1, 2, 0.42, 1000000001.5),
          (1, 2, 0, NULL, NULL, NULL, 1000000002.0), (2, 1, 5, 3, NULL, 0.9, 2000000003.0),
          (2, 1, 7, NULL, NULL, 0.8, 2000000004.0), (2, 1, 7, NULL, NULL, 0.7, 2000000005.0);
        DELETE FROM metric_points WHERE run_id = 2 AND step = 7 AND seq = 0;
        """)
      before = try database.statement(
        "SELECT \(columns) FROM metrics ORDER BY run_id, key_id, step, wall_time"
      ).map { row in (0..<7).map { row.value($0) } }
    }
    let store = try SQLiteStore(path: path)
    #expect(
      try store.query("SELECT \(columns) FROM metrics ORDER BY run_id, key_id, step, wall_time")
        .rows == before)
    #expect(try store.metricSeries(of: 1, key: "loss").map(\.value) == [0.5, 0.4, 0.41, 0.42])
    #expect(try store.metricSeries(of: 1, key: "loss").map(\.task) == [1, 1, 1, 2])
    #expect(try store.metricSeries(of: 1, key: "acc").map(\.value.isNaN) == [true])
    #expect(try store.metricSeries(of: 2, key: "loss").map(\.value) == [0.9, 0.7])
    #expect(
      try store.query("SELECT count(*) FROM metric_values").rows == [[.integer(5)]])
    #expect(
      try store.query("SELECT step, seq FROM metric_repeats ORDER BY seq").rows
        == [[.integer(1), .integer(1)], [.integer(1), .integer(2)]])
    #expect(try store.check().isOK)
    try store.deleteRun(1)
    #expect(try store.query("SELECT DISTINCT run_id FROM metric_points").rows == [[.integer(2)]])
    #expect(try store.query("SELECT count(*) FROM metric_repeats").rows == [[.integer(0)]])
    #expect(try store.query("SELECT run_id FROM metric_series").rows == [[.integer(2)]])
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
