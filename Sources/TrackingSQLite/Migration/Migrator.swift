import Foundation
import Tracking

/// Applies the embedded schema migrations in order, one transaction each, and records them
/// in the file (`schema_migrations`, `PRAGMA user_version`, `PRAGMA application_id`).
struct Migrator {
  /// Marks a SQLite file as a track store ("trak").
  static let applicationID: Int64 = 0x7472_616B

  /// The migrations this binary knows, numbered from 1.
  let migrations: [(name: String, sql: String)]

  init(migrations: [(name: String, sql: String)] = EmbeddedMigrations.all) {
    self.migrations = migrations
  }

  /// The schema version this binary writes.
  var latestVersion: Int { migrations.count }

  /// What an opened file is, read without writing anything.
  enum FileState: Equatable {
    case empty
    case track(version: Int)
    case foreign
  }

  /// Inspects the file; fails with `.notADatabase` for a file SQLite cannot read.
  func state(of database: Database) throws -> FileState {
    // One statement, so one snapshot: read as three statements, another process's first
    // migration could commit between them and an empty file would read as a foreign one
    // (tables, but no application id yet).
    let row = try database.statement(
      """
      SELECT (SELECT application_id FROM pragma_application_id),
             (SELECT user_version FROM pragma_user_version),
             (SELECT count(*) FROM sqlite_schema)
      """
    ).first { ($0.int64(0), Int($0.int64(1)), $0.int64(2)) }
    let (applicationID, version, objects) = row ?? (0, 0, 0)
    if applicationID == Migrator.applicationID { return .track(version: version) }
    if applicationID == 0 && objects == 0 && version == 0 { return .empty }
    return .foreign
  }

  /// Refuses files this binary must not touch; returns the file's schema version.
  func validate(_ state: FileState, path: String) throws -> Int {
    switch state {
    case .empty: return 0
    case .foreign:
      throw TrackingError(
        .notATrackStore,
        "\(path) is an SQLite database but not a track store (it has other tables and no track "
          + "application id). Nothing was written. Use another file name for the store.")
    case .track(let version):
      if version > latestVersion {
        throw TrackingError(
          .newerSchema,
          "\(path) has schema version \(version), newer than this track knows "
            + "(\(latestVersion)). Nothing was written. Upgrade track to open it.")
      }
      return version
    }
  }

  /// Brings the file to `latestVersion`, each migration in its own transaction.
  /// Re-reads the version inside each transaction, so concurrent openers migrate once.
  ///
  /// As GRDB's migrator does, foreign keys are off while migrations run (the pragma cannot
  /// change inside a transaction, and a migration that rebuilds `runs` would otherwise
  /// cascade-delete every child row), and `PRAGMA foreign_key_check` must find nothing before
  /// a migration commits.
  ///
  /// `onUpgrade` hears (version, latest version) before a file that has a schema is brought
  /// forward (not when a new file is created), so a front end can say why the open waits.
  func migrate(_ database: Database, onUpgrade: ((Int, Int) -> Void)? = nil) throws {
    let enforced = try database.integer("PRAGMA foreign_keys") == 1
    let version = try database.retryingOnBusy {
      try validate(try self.state(of: database), path: database.path)
    }
    guard version < latestVersion else { return }
    if version > 0 { onUpgrade?(version, latestVersion) }
    try database.executeScript("PRAGMA foreign_keys = OFF")
    defer { if enforced { try? database.executeScript("PRAGMA foreign_keys = ON") } }
    while true {
      let applied = try database.retryingOnBusy { try database.write { () throws -> Bool in
        let state = try self.state(of: database)
        let version = try validate(state, path: database.path)
        guard version < latestVersion else { return false }
        if version == 0 {
          try database.executeScript(
            """
            PRAGMA application_id = \(Migrator.applicationID);
            CREATE TABLE schema_migrations (
              version    INTEGER PRIMARY KEY,
              name       TEXT NOT NULL,
              applied_at REAL NOT NULL
            );
            """)
        }
        let migration = migrations[version]
        try database.executeScript(migration.sql)
        try database.execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          [
            .integer(Int64(version + 1)), .text(migration.name),
            .real(Date().timeIntervalSince1970),
          ])
        try database.executeScript("PRAGMA user_version = \(version + 1)")
        try checkForeignKeys(after: migration.name, in: database)
        return true
      } }
      if !applied { return }
    }
  }

  /// Fails the migration (rolled back) when it left rows pointing at missing rows.
  private func checkForeignKeys(after name: String, in database: Database) throws {
    var broken: [String] = []
    try database.statement("PRAGMA foreign_key_check").forEach { row in
      if broken.count < 5 {
        broken.append("row \(row.optionalInt64(1).map(String.init) ?? "?") of \(row.string(0))")
      }
    }
    guard broken.isEmpty else {
      throw TrackingError(
        .storage,
        "Migration \(name) left rows pointing at missing rows (\(broken.joined(separator: ", ")));"
          + " it was rolled back and nothing changed. Report this with the file.")
    }
  }
}
