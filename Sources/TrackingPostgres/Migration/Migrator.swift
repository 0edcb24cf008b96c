import Foundation
import PostgresNIO
import Tracking

/// Applies the embedded PostgreSQL migrations in order, one transaction each, and records
/// them in the database (`schema_migrations`: version, name, applied_at), with the same
/// numbers as the SQLite migrations.
///
/// Several processes may open a new database at once: each migration's transaction first
/// takes a transaction-level advisory lock, then re-reads the version, so each migration is
/// applied once and the others wait and find it done.
struct Migrator {
  /// The advisory lock key of migrations ("trakmigr" as bytes), held to the end of each
  /// migration's transaction.
  static let lockKey: Int64 = 0x7472_616B_6D69_6772

  /// The migrations this binary knows, numbered from 1.
  let migrations: [(name: String, sql: String)]

  init(migrations: [(name: String, sql: String)] = EmbeddedMigrations.all) {
    self.migrations = migrations
  }

  /// The schema version this binary writes.
  var latestVersion: Int { migrations.count }

  /// The database's schema version, read without writing: 0 for an empty schema.
  /// `.notATrackStore` for a schema that holds other tables, `.newerSchema` for a version
  /// this binary does not know.
  func version(in session: PostgresSession) throws -> Int {
    let (tracked, objects) = try trackedState(in: session)
    return try validate(tracked: tracked, objects: objects, session: session)
  }

  private func trackedState(in session: PostgresSession) throws -> (Bool, Int64) {
    try session.first(
      """
      SELECT (to_regclass('schema_migrations') IS NOT NULL)::int,
             (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'p'))
      """
    ) { (try $0.int64(0) == 1, try $0.int64(1)) } ?? (false, 0)
  }

  private func validate(tracked: Bool, objects: Int64, session: PostgresSession) throws -> Int {
    let place = session.url.redacted
    guard tracked else {
      if objects == 0 { return 0 }
      throw TrackingError(
        .notATrackStore,
        "The database \(place) has \(objects) table(s) or view(s) but is not a track store "
          + "(no schema_migrations table). Nothing was written. Use an empty database for the "
          + "store (CREATE DATABASE track).")
    }
    let version = Int(
      try session.integer("SELECT COALESCE(max(version), 0) FROM schema_migrations") ?? 0)
    if version > latestVersion {
      throw TrackingError(
        .newerSchema,
        "The database \(place) has schema version \(version), newer than this track knows "
          + "(\(latestVersion)). Nothing was written. Upgrade track to open it.")
    }
    return version
  }

  /// Brings the database to `latestVersion`, each migration in its own transaction under
  /// the advisory lock.
  func migrate(_ session: PostgresSession) throws {
    guard try version(in: session) < latestVersion else { return }
    while true {
      try session.execute("BEGIN")
      do {
        try session.execute(
          "SELECT pg_advisory_xact_lock($1)", PostgresBindings([.integer(Migrator.lockKey)]))
        let version = try self.version(in: session)
        guard version < latestVersion else {
          try session.execute("COMMIT")
          return
        }
        if version == 0 {
          try session.execute(
            """
            CREATE TABLE schema_migrations (
              version    bigint PRIMARY KEY,
              name       text NOT NULL,
              applied_at double precision NOT NULL
            )
            """)
        }
        let migration = migrations[version]
        try runScript(migration.sql, in: session)
        try session.execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
          PostgresBindings([
            .integer(Int64(version + 1)), .text(migration.name),
            .real(Date().timeIntervalSince1970),
          ]))
        try session.execute("COMMIT")
      } catch {
        _ = try? session.execute("ROLLBACK")
        throw error
      }
    }
  }

  /// Runs a migration file: its statements one by one (the extended protocol takes one
  /// statement at a time). Statements end with `;` at the end of a line outside `$$` bodies.
  private func runScript(_ sql: String, in session: PostgresSession) throws {
    for statement in Migrator.statements(of: sql) {
      try session.execute(statement)
    }
  }

  /// The statements of a migration file, comments dropped.
  static func statements(of sql: String) -> [String] {
    var statements: [String] = []
    var current: [Substring] = []
    var inBody = false
    for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if !inBody && (trimmed.hasPrefix("--") || trimmed.isEmpty) { continue }
      current.append(line)
      if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
      if !inBody && trimmed.hasSuffix(";") {
        statements.append(current.joined(separator: "\n"))
        current.removeAll()
      }
    }
    let rest = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    if !rest.isEmpty { statements.append(rest) }
    return statements
  }
}
