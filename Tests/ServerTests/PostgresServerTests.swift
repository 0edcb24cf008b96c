import Foundation
import PostgresTestSupport
import TestSupport
import Testing
import Tracking
import TrackingPostgres

/// `track serve --db postgres://…` with the real MLflow client: the team-server setup of
/// docs/deploy.md, read back with `track` and straight from the database.
@Suite(
  .serialized,
  .enabled(if: PostgresTestServer.isWanted, "needs \(PostgresTestServer.variable)"),
  .enabled(if: MLflowPython.isAvailable, "needs a Python with mlflow (TRACK_TEST_PYTHON)"))
struct PostgresServerTests {
  @Test func theMLflowClientLogsIntoPostgres() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let server = try ServerProcess(database: database.url)
    let out = try MLflowPython.run("fluent.py", server: server)
    let runs = try #require(out["runs"] as? [String])
    #expect(runs.count == 2)
    #expect(out["search_order"] as? [String] == ["large-lr", "small-lr"])
    #expect((out["history"] as? [[Double]])?.map { $0[0] } == [0, 1, 2, 3, 4])
    #expect(out["nan_is_nan"] as? Bool == true)
    #expect(out["downloaded"] as? String == "hello from python\n")
    #expect(out["active_after_delete"] as? [String] == ["small-lr"])
    #expect(server.stop() == 0)

    let track = CommandRunner.product("track")
    let listing = try CommandRunner.run(track, ["runs", "--db", database.url, "--format", "json"])
    #expect(listing.status == 0, "\(listing.stderr)")
    #expect(listing.stdout.contains("\"small-lr\""))
    #expect(!listing.stdout.contains("\"large-lr\""))  // in the trash

    let store = try PostgresStore(url: database.url, readOnly: true)
    let run = try #require(try store.run(uuid: runs[0]))
    #expect(try store.metricSeries(of: run.id, key: "loss").map(\.step) == [0, 1, 2, 3, 4])
    #expect(try store.latestMetrics(of: run.id)["nan_metric"]?.isNaN == true)
    let notes = try store.artifact(of: run.id, path: "sub/dir/notes.txt")
    #expect(try store.loadBlob(notes.sha256) == Data("hello from python\n".utf8))
  }
}
