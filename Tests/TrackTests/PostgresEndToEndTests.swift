import Foundation
import PostgresTestSupport
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// The real `track` binary on a real PostgreSQL database (`--db postgres://…` and
/// `TRACK_DB`): a run, the reading commands, push and pull between a file and the server
/// with `track diff` finding no difference, and the failures a wrong URL gives.
@Suite(
  .serialized, .enabled(if: PostgresTestServer.isWanted, "needs \(PostgresTestServer.variable)"))
struct PostgresEndToEndTests {
  func json(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
  }

  @Test func runListShowDiffAndQueryOnTheServer() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let track = try TrackBinary(database: database.url)
    defer { track.remove() }
    let password = try PostgresTestServer.requireURL().password ?? "\u{0}"

    let first = try track("run", "Examples/synthetic-smoke.yaml")
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("ACC"))
    #expect(!first.stderr.contains(password))
    let second = try track(
      "run", "Examples/synthetic-smoke.yaml", "--name", "short", "--set", "training.epochs=1",
      environment: ["TRACK_DB": database.url], useDatabase: false)
    #expect(second.status == 0, "\(second.stderr)")

    let runs = try json(try track("runs", "--format", "json").stdout) as? [[String: Any]]
    #expect(runs?.map { $0["name"] as? String } == ["short", "synthetic-smoke"])
    #expect(runs?.allSatisfy { $0["status"] as? String == "finished" } == true)

    let show = try track("show", "synthetic-smoke")
    #expect(show.status == 0, "\(show.stderr)")
    #expect(show.stdout.contains("Matrix R[i][j]"))
    #expect(!show.stdout.contains(password))
    // The command line a run records keeps no password.
    let command = try track("query", "SELECT command FROM runs WHERE id = 1", "--format", "csv")
    #expect(command.stdout.contains("--db postgres://track:***@"), "\(command.stdout)")
    #expect(!command.stdout.contains(password))

    let diff = try track("diff", "synthetic-smoke", "short", "--format", "json")
    #expect(diff.status == 0, "\(diff.stderr)")
    let params = (try json(diff.stdout) as? [String: Any])?["params"] as? [[String: Any]]
    #expect(params?.contains { $0["key"] as? String == "training.epochs" } == true)

    let query = try track(
      "query", "SELECT name, params->>'training.epochs' AS epochs FROM run_overview ORDER BY id",
      "--format", "csv")
    #expect(query.stdout == "name,epochs\nsynthetic-smoke,2\nshort,1\n", "\(query.stderr)")
    let write = try track("query", "DELETE FROM runs")
    #expect(write.status == 4)
    #expect(write.stderr.contains("read-only"))
    #expect(try track("check").status == 0)
    #expect(try track("runs", "--format", "json").stdout.contains("short"))

    // docs/schema.md's PostgreSQL examples run as written.
    let examples = try PostgresEndToEndTests.documentedExamples()
    #expect(examples.count >= 3)
    for example in examples {
      let result = try track("query", example, "--format", "csv")
      #expect(result.status == 0, "\(example)\n\(result.stderr)")
      #expect(result.stdout.split(separator: "\n").count >= 2, "\(example) returned no rows")
    }
  }

  /// The ```postgresql blocks of docs/schema.md.
  static func documentedExamples() throws -> [String] {
    let document = try String(
      contentsOf: SourceTree.root.appendingPathComponent("docs/schema.md"), encoding: .utf8)
    var blocks: [String] = []
    var current: [Substring]?
    for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
      if current == nil, line == "```postgresql" {
        current = []
      } else if current != nil, line == "```" {
        blocks.append(current!.joined(separator: "\n"))
        current = nil
      } else {
        current?.append(line)
      }
    }
    return blocks
  }

  @Test func pushAndPullCopyWholeRunsBothWays() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let local = try TrackBinary()
    defer { local.remove() }
    let run = try local("run", "Examples/synthetic-smoke.yaml")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(try local("run", "Examples/synthetic-smoke.yaml", "--name", "other").status == 0)

    let push = try local("push", "synthetic-smoke", "other", "--to", database.url)
    #expect(push.status == 0, "\(push.stderr)")
    #expect(push.stdout.contains("Pushed run #1 synthetic-smoke to postgres://"))
    #expect(push.stderr.contains("30 knowledge entries"))
    // Again: nothing copied twice.
    let again = try local("push", "1", "--to", database.url, "--format", "json")
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("\"outcome\": \"already_there\""))

    let team = try TrackBinary(database: database.url)
    let listed = try json(try team("runs", "--format", "json").stdout) as? [[String: Any]]
    #expect(listed?.count == 2)

    // The copy compares equal with the original: params, summaries, final metrics, matrix.
    for (reference, other) in [("synthetic-smoke", database.url)] {
      let diff = try local("diff", reference, reference, "--against", other, "--format", "json")
      #expect(diff.status == 0, "\(diff.stderr)")
      try expectNoDifference(diff.stdout)
    }
    // Everything else a run holds, as `show` and `export` print it.
    try expectSameRun(local, "synthetic-smoke", team, "synthetic-smoke")

    // Back into a new file: pull, and the pulled copy equals the server's.
    let elsewhere = try TrackBinary()
    defer { elsewhere.remove() }
    let pull = try elsewhere("pull", "synthetic-smoke", "--from", database.url)
    #expect(pull.status == 0, "\(pull.stderr)")
    try expectSameRun(team, "synthetic-smoke", elsewhere, "synthetic-smoke")
    let diff = try elsewhere(
      "diff", "synthetic-smoke", "synthetic-smoke", "--against", local.database, "--format",
      "json")
    try expectNoDifference(diff.stdout)
  }

  @Test func aRunningRunIsRefusedUnlessAllowed() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let local = try TrackBinary()
    defer { local.remove() }
    // A run whose writer is alive (its heartbeat is fresh): what another terminal's
    // `track run` looks like while it trains.
    let store = try SQLiteStore(path: local.database)
    let live = try store.createRun(RunRequest(name: "live"))
    try store.appendMetrics([MetricPoint(key: "loss", value: 1, step: 1)], to: live.id, heartbeat: Date())
    let refused = try local("push", "live", "--to", database.url)
    #expect(refused.status == 2, "\(refused.stderr)")
    #expect(refused.stderr.contains("is still running"))
    #expect(refused.stderr.contains("--allow-running"))
    let allowed = try local("push", "live", "--to", database.url, "--allow-running")
    #expect(allowed.status == 0, "\(allowed.stderr)")
    #expect(allowed.stderr.contains("copying it as it stands"))
    // Once it ended, pushing again replaces the copy taken while it ran.
    try store.appendMetrics([MetricPoint(key: "loss", value: 0.5, step: 2)], to: live.id, heartbeat: nil)
    try store.endRun(live.id, status: .finished, lastPoints: [])
    let after = try local("push", "live", "--to", database.url, "--format", "json")
    #expect(after.status == 0, "\(after.stderr)")
    #expect(after.stdout.contains("\"outcome\": \"replaced\""))
    let team = try TrackBinary(database: database.url)
    let runs = try json(try team("runs", "--format", "json").stdout) as? [[String: Any]]
    #expect(runs?.map { $0["status"] as? String } == ["finished"])
    #expect(try team("export", "live", "--format", "csv").stdout.split(separator: "\n").count == 3)
  }

  @Test func aWrongURLOrPasswordFailsClearly() throws {
    let server = try PostgresTestServer.requireURL()
    let track = try TrackBinary(
      database: "postgres://\(server.user):wrong-password-123@\(server.host):\(server.port)/\(server.database)")
    defer { track.remove() }
    let login = try track("runs")
    #expect(login.status == 4)
    #expect(login.stderr.contains("refused the login"), "\(login.stderr)")
    #expect(!login.stderr.contains("wrong-password-123"))

    let unreachable = try TrackBinary(database: "postgres://track:secret-9@127.0.0.1:1/track")
    let refused = try unreachable("run", "Examples/synthetic-smoke.yaml")
    #expect(refused.status == 4)
    #expect(refused.stderr.contains("Cannot connect to PostgreSQL at 127.0.0.1:1"), "\(refused.stderr)")
    #expect(!refused.stderr.contains("secret-9"))

    let malformed = try TrackBinary(database: "postgres://track:secret-9@host-only")
    let bad = try malformed("runs")
    #expect(bad.status == 4)
    #expect(bad.stderr.contains("names no database"), "\(bad.stderr)")
    #expect(!bad.stderr.contains("secret-9"))
  }

  /// Every param the same and every delta 0 in `track diff --format json`.
  func expectNoDifference(
    _ output: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let diff = try json(output) as? [String: Any]
    let params = diff?["params"] as? [[String: Any]]
    #expect(params?.isEmpty == true, "params differ: \(params ?? [])", sourceLocation: sourceLocation)
    for section in ["summary", "metrics", "matrix"] {
      for row in diff?[section] as? [[String: Any]] ?? [] {
        let deltas = (row["deltas"] as? [Any])?.dropFirst().compactMap { $0 as? Double }
        #expect(deltas?.allSatisfy { $0 == 0 } == true, "\(section): \(row)", sourceLocation: sourceLocation)
      }
    }
  }

  /// The two runs show the same (ids, times of copying and locations aside) and export the
  /// same points.
  func expectSameRun(
    _ left: TrackBinary, _ leftRun: String, _ right: TrackBinary, _ rightRun: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    func shown(_ track: TrackBinary, _ run: String) throws -> [String: Any] {
      var object = try json(try track("show", run, "--format", "json").stdout) as? [String: Any] ?? [:]
      for key in ["id", "continued_from"] { object[key] = nil }
      if var checkpoints = object["checkpoints"] as? [[String: Any]] {
        for index in checkpoints.indices {
          for key in ["id", "created_at", "created"] { checkpoints[index][key] = nil }
        }
        object["checkpoints"] = checkpoints
      }
      return object
    }
    let a = try shown(left, leftRun)
    let b = try shown(right, rightRun)
    #expect(!a.isEmpty, sourceLocation: sourceLocation)
    #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(a)\n\(b)", sourceLocation: sourceLocation)
    let exportA = try left("export", leftRun, "--format", "csv").stdout
    let exportB = try right("export", rightRun, "--format", "csv").stdout
    #expect(exportA == exportB, sourceLocation: sourceLocation)
    #expect(exportA.split(separator: "\n").count > 10, sourceLocation: sourceLocation)
  }
}
