import Foundation
import PostgresTestSupport
import Testing
import Tracking
import TrackingPostgres

/// What only the PostgreSQL backend has: its query dialect and read-only transactions, how
/// values land in its columns, blobs damaged behind its back, and its connections.
@Suite(.enabled(if: PostgresTestServer.isWanted, "needs \(PostgresTestServer.variable)"))
struct PostgresStoreTests {
  @Test func queriesAreReadOnlyAndInPostgresDialect() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let store = try PostgresStore(url: database.url)
    let run = try store.startRun(
      name: "q", experiment: "e", params: ["optimizer.lr": .number(0.01), "opt": .text("sgd")])
    try run.log("loss", value: 0.5, step: 1)
    try run.finish()
    let overview = try store.query(
      "SELECT name, params->>'optimizer.lr' AS lr, (latest_metrics->>'loss')::float8 AS loss, "
        + "created ~ '^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$' AS iso FROM run_overview")
    #expect(overview.columns == ["name", "lr", "loss", "iso"])
    #expect(overview.rows == [[.text("q"), .text("0.01"), .real(0.5), .integer(1)]])
    // No rows still names the columns.
    let none = try store.query("SELECT id, name FROM runs WHERE false")
    #expect(none.columns == ["id", "name"])
    #expect(none.rows.isEmpty)
    #expect(try store.query("SHOW statement_timeout").rows == [[.text("30s")]])
    #expect(try store.query("SELECT count(*) FROM runs").rows == [[.integer(1)]])

    for write in [
      "DELETE FROM runs", "UPDATE runs SET name = 'x'", "CREATE TABLE t (x int)",
      "SELECT 1; DELETE FROM runs", "WITH d AS (DELETE FROM runs RETURNING id) SELECT * FROM d",
    ] {
      let error = #expect(throws: TrackingError.self) { try store.query(write) }
      #expect(error?.code == .writeInQuery, "\(write): \(error?.description ?? "")")
    }
    let typo = #expect(throws: TrackingError.self) { try store.query("SELECT nme FROM runs") }
    #expect(typo?.code == .invalidQuery)
    #expect(typo?.message.contains("nme") == true)
    #expect(try store.runs().map(\.name) == ["q"])
    // The connection is usable after every refusal.
    #expect(try store.query("SELECT name FROM runs").rows == [[.text("q")]])
  }

  @Test func nanIsStoredAsNullAsInSQLite() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let store = try PostgresStore(url: database.url)
    let run = try store.startRun(name: "nan", experiment: nil, params: [:])
    try run.log("loss", value: .nan, step: 1)
    try run.log("loss", value: .infinity, step: 2)
    try run.recordMatrixRow(trainedThrough: 0, scores: [.nan, 0.5], metric: "accuracy")
    try run.finish()
    #expect(
      try store.query("SELECT value FROM metric_points ORDER BY step").rows
        == [[.null], [.real(.infinity)]])
    #expect(
      try store.query("SELECT value FROM matrix ORDER BY task").rows == [[.null], [.real(0.5)]])
    #expect(try store.metricSeries(of: run.id, key: "loss").first?.value.isNaN == true)
  }

  @Test func twoWritersOfOneRunLoseNoPoint() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let first = try PostgresStore(url: database.url)
    let second = try PostgresStore(url: database.url)
    let run = try first.createRun(RunRequest(name: "shared"))
    func points(_ steps: ClosedRange<Int>, _ value: Double) -> [MetricPoint] {
      steps.map { MetricPoint(key: "loss", value: value, step: $0) }
    }
    try first.appendMetrics(points(0...9, 1), to: run.id, heartbeat: nil)
    // The second store has not seen steps 5...9: its seq 0 for them conflicts, and the batch
    // is numbered by the server instead.
    try second.appendMetrics(points(5...14, 2), to: run.id, heartbeat: nil)
    try first.appendMetrics(points(12...12, 3), to: run.id, heartbeat: nil)
    let series = try first.metricSeries(of: run.id, key: "loss")
    #expect(series.count == 21)
    #expect(series.filter { $0.step == 7 }.map(\.value) == [1, 2])
    #expect(series.filter { $0.step == 12 }.map(\.value) == [2, 3])
    #expect(try first.latestMetrics(of: run.id) == ["loss": 2])
  }

  @Test func aDamagedBlobIsNeverUsed() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let store = try PostgresStore(url: database.url)
    let run = try store.startRun(name: "blob", experiment: nil, params: [:])
    let sha = try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([1, 2, 3]))
    try run.finish()
    #expect(try store.query("SELECT pg_typeof(data)::text FROM blobs").rows == [[.text("bytea")]])
    try database.execute("UPDATE blobs SET data = '\\x010204'::bytea")
    let error = #expect(throws: TrackingError.self) { try store.loadBlob(sha) }
    #expect(error?.code == .blobCorrupt)
    let report = try store.check()
    #expect(report.problems.contains { $0.contains("blob \(sha)") })
  }

  @Test func aDroppedConnectionIsOpenedAgain() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    let store = try PostgresStore(url: database.url)
    let run = try store.startRun(name: "steady", experiment: nil, params: [:])
    try run.log("loss", value: 1, step: 1)
    try run.flush()
    // What a server restart or a network cut does to the store's connection.
    try database.execute(
      "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity "
        + "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    try run.log("loss", value: 2, step: 2)
    try run.finish()
    #expect(try store.metricSeries(of: run.id, key: "loss").map(\.value) == [1, 2])
    #expect(try store.run(run.id).status == .finished)
  }

  @Test func sslmodeRequireEncryptsOrSaysTheServerCannot() throws {
    let database = try PostgresTestDatabase.create()
    defer { database.drop() }
    _ = try PostgresStore(url: database.url)
    let offered = try database.execute("SHOW ssl") == ["on"]
    if offered {
      let store = try PostgresStore(url: database.url + "?sslmode=require", readOnly: true)
      #expect(store.location.hasSuffix("?sslmode=require"))
      #expect(
        try store.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows
          == [[.integer(1)]])
      // The test cluster's certificate is self-signed: verify-full refuses it, and says so.
      let verify = #expect(throws: TrackingError.self) {
        try PostgresStore(url: database.url + "?sslmode=verify-full", readOnly: true)
      }
      #expect(verify?.message.contains("not signed by an authority") == true, "\(verify?.message ?? "")")
    } else {
      let refused = #expect(throws: TrackingError.self) {
        try PostgresStore(url: database.url + "?sslmode=require", readOnly: true)
      }
      #expect(refused?.message.contains("does not offer TLS") == true, "\(refused?.message ?? "")")
    }
    let plain = try PostgresStore(url: database.url, readOnly: true)
    #expect(
      try plain.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows
        == [[.integer(0)]])
  }

  @Test func connectionFailuresSayWhereAndNeverThePassword() throws {
    let server = try PostgresTestServer.requireURL()
    var wrong = server
    wrong.password = "not-the-password-\(UUID().uuidString.prefix(6))"
    let refused = "postgres://\(wrong.user):\(wrong.password!)@\(wrong.host):\(wrong.port)/\(wrong.database)"
    let login = #expect(throws: TrackingError.self) { try PostgresStore(url: refused) }
    #expect(login?.code == .cannotOpen)
    #expect(login?.message.contains("refused the login") == true, "\(login?.message ?? "")")
    #expect(login?.description.contains(wrong.password!) == false)
    #expect(login?.message.contains("\(wrong.host):\(wrong.port)") == true)

    let missing = "postgres://\(server.user):\(server.password ?? "")@\(server.host):\(server.port)/no_such_db_\(UUID().uuidString.prefix(6).lowercased())"
    let noDatabase = #expect(throws: TrackingError.self) { try PostgresStore(url: missing) }
    #expect(noDatabase?.code == .cannotOpen)
    #expect(noDatabase?.message.contains("does not exist") == true, "\(noDatabase?.message ?? "")")

    // A port nothing listens on (the server's port + 1 is free in the test cluster's range
    // often enough; 1 is never a PostgreSQL server).
    let closed = "postgres://track:hunter2@127.0.0.1:1/track"
    let unreachable = #expect(throws: TrackingError.self) { try PostgresStore(url: closed) }
    #expect(unreachable?.code == .cannotOpen)
    #expect(unreachable?.message.contains("Cannot connect to PostgreSQL at 127.0.0.1:1") == true)
    #expect(unreachable?.description.contains("hunter2") == false)
  }
}
