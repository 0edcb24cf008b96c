import Foundation
import TestSupport

/// The built `track` executable, run on a database file in a temporary directory.
struct TrackBinary {
  let directory: TemporaryDirectory
  let database: String

  /// A fresh directory with `track.db` as the database (not created yet).
  init() throws {
    directory = try TemporaryDirectory(prefix: "track-e2e")
    database = directory.path("track.db")
  }

  /// A fresh directory with `database` (a file path or a postgres:// URL) as the database.
  init(database: String) throws {
    directory = try TemporaryDirectory(prefix: "track-e2e")
    self.database = database
  }

  /// The repository root (for Examples/).
  static let repository: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Runs `track ARGUMENTS --db DATABASE` with stable times and no colors.
  @discardableResult
  func callAsFunction(
    _ arguments: String..., environment: [String: String] = [:], useDatabase: Bool = true
  ) throws -> CommandResult {
    try run(arguments, environment: environment, useDatabase: useDatabase)
  }

  /// The same with an array of arguments.
  func run(
    _ arguments: [String], environment: [String: String] = [:], useDatabase: Bool = true
  ) throws -> CommandResult {
    var env = ["TRACK_STABLE_TIMES": "1", "NO_COLOR": "1"]
    env.merge(environment) { _, new in new }
    let all = useDatabase ? arguments + ["--db", database] : arguments
    return try CommandRunner.run(
      CommandRunner.product("track"), all, directory: TrackBinary.repository, environment: env)
  }

  /// Removes the temporary directory.
  func remove() { directory.remove() }
}
