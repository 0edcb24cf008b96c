import Foundation
import TestSupport
import Testing
import Tracking
import TrackingSQLite

/// `track serve` over plain HTTP: what a client never sends (malformed JSON, wrong types,
/// unknown ids, oversized bodies, hostile paths), auth, limits and monitoring.
@Suite(.serialized) struct ServerHTTPTests {
  private func createRun(_ server: ServerProcess, headers: [String: String] = [:]) throws -> String {
    let reply = try HTTP.post(
      "\(server.url)/api/2.0/mlflow/runs/create", json: #"{"experiment_id":"0","run_name":"raw"}"#,
      headers: headers)
    #expect(reply.status == 200, "\(reply.text)")
    let run = reply.json["run"] as? [String: Any]
    let info = run?["info"] as? [String: Any]
    return try #require(info?["run_id"] as? String)
  }

  @Test func badRequestsGetMLflowErrorsAndWriteNothing() throws {
    let server = try ServerProcess(extra: ["--quiet"])
    let api = "\(server.url)/api/2.0/mlflow"
    let run = try createRun(server)
    let cases: [(String, String, Int, String)] = [
      ("runs/log-batch", "{not json", 400, "BAD_REQUEST"),
      ("runs/log-batch", "[1,2]", 400, "BAD_REQUEST"),
      ("runs/log-batch", #"{"run_id":"\#(run)","metrics":"lots"}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/log-batch", #"{"run_id":"\#(run)","metrics":[{"key":"m","value":"abc","timestamp":1,"step":0}]}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/log-batch", #"{"run_id":"\#(run)","metrics":[{"key":"m","value":1,"timestamp":1,"step":1.5}]}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/log-metric", #"{"run_id":"ffffffffffffffffffffffffffffffff","key":"m","value":1,"timestamp":1}"#, 404, "RESOURCE_DOES_NOT_EXIST"),
      ("runs/log-metric", #"{"key":"m","value":1}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/log-parameter", #"{"run_id":"\#(run)","key":"../etc","value":"x"}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/update", #"{"run_id":"\#(run)","status":"EXPLODED"}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/search", #"{"experiment_ids":["0"],"filter":"metrics.m > 'x'"}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("runs/search", #"{"experiment_ids":["0"],"page_token":"garbage"}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("experiments/create", #"{"name":""}"#, 400, "INVALID_PARAMETER_VALUE"),
      ("no/such/endpoint", "{}", 404, "ENDPOINT_NOT_FOUND"),
    ]
    for (path, body, status, code) in cases {
      let reply = try HTTP.post("\(api)/\(path)", json: body)
      #expect(reply.status == status, "\(path) \(body.prefix(60)): \(reply.status) \(reply.text)")
      #expect(reply.errorCode == code, "\(path) \(body.prefix(60)): \(reply.text)")
      #expect((reply.json["message"] as? String)?.isEmpty == false)
    }
    // A deep nest is refused, not a stack overflow.
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(try HTTP.post("\(api)/runs/log-batch", json: deep).errorCode == "BAD_REQUEST")
    // A batch over MLflow's limits is refused whole: not one point of it is stored.
    let metrics = (0..<1001).map { #"{"key":"m","value":\#($0),"timestamp":1,"step":\#($0)}"# }
    let tooMany = try HTTP.post(
      "\(api)/runs/log-batch",
      json: #"{"run_id":"\#(run)","metrics":[\#(metrics.joined(separator: ","))]}"#)
    #expect(tooMany.status == 400)
    #expect(tooMany.text.contains("at most 1000 metrics"))
    // One bad metric among good ones: nothing of the batch is written.
    let mixed = try HTTP.post(
      "\(api)/runs/log-batch",
      json: #"{"run_id":"\#(run)","metrics":[{"key":"good","value":1,"timestamp":1,"step":0},{"key":"bad*","value":2,"timestamp":1,"step":0}],"params":[{"key":"p","value":"1"}]}"#)
    #expect(mixed.status == 400)
    // An oversized body is cut off at the limit (16 MiB) with 413.
    let huge = Data(repeating: UInt8(ascii: " "), count: 17 * 1024 * 1024)
    let oversized = try HTTP.send(
      "POST", "\(api)/runs/log-batch", body: huge, headers: ["Content-Type": "application/json"])
    #expect(oversized.status == 413)
    // Wrong method on a known endpoint.
    #expect(try HTTP.send("GET", "\(api)/runs/log-batch").status == 405)
    #expect(server.stop() == 0)

    let store = try SQLiteStore(path: server.database, readOnly: true)
    let stored = try #require(try store.run(uuid: run))
    #expect(try store.metricKeys(of: stored.id).isEmpty)
    #expect(try store.params(of: stored.id).isEmpty)
    #expect(try store.check().isOK)
  }

  /// log-batch reads the plain shape clients send with no JSON tree, anything else through
  /// the general parser: both must store the same points and refuse the same bodies.
  @Test func plainAndGeneralLogBatchesStoreAndRefuseAlike() throws {
    let server = try ServerProcess(extra: ["--quiet"])
    let api = "\(server.url)/api/2.0/mlflow/runs/log-batch"
    let run = try createRun(server)
    let bodies = [
      // Plain, keys interleaved (grouped before writing, order kept within a key).
      #"{"run_id":"\#(run)","metrics":[{"key":"a","value":0.5,"timestamp":1000,"step":1},{"key":"b","value":2,"timestamp":1000,"step":1},{"key":"a","value":0.25,"timestamp":2000,"step":2}],"params":[],"tags":[]}"#,
      // Plain with whitespace, members reordered, a repeated member (the last counts).
      "{ \"metrics\" : [ { \"step\" : 9, \"value\" : -1e-3 , \"key\" : \"a\", \"step\": 3 } ] ,\n \"run_id\" : \"\(run)\" }",
      // General: protobuf's strings for int64 and NaN, params present, no timestamp.
      #"{"run_id":"\#(run)","metrics":[{"key":"a","value":"NaN","timestamp":"3000","step":"4"},{"key":"b","value":3,"step":2}],"params":[{"key":"p","value":"1"}]}"#,
    ]
    for body in bodies {
      let reply = try HTTP.post(api, json: body)
      #expect(reply.status == 200, "\(body): \(reply.text)")
    }
    let refused: [(String, String)] = [
      (#"{"run_id":"\#(run)","metrics":[{"key":"../x","value":1,"timestamp":1,"step":0}]}"#, "INVALID_PARAMETER_VALUE"),
      (#"{"run_id":"\#(run)","metrics":[{"key":"","value":1,"timestamp":1,"step":0}]}"#, "INVALID_PARAMETER_VALUE"),
      (#"{"run_id":"\#(run)","metrics":[{"key":"a","timestamp":1,"step":0}]}"#, "INVALID_PARAMETER_VALUE"),
      (#"{"run_id":"\#(run)","metrics":[{"key":"a","value":1,"timestamp":1,"step":1e300}]}"#, "INVALID_PARAMETER_VALUE"),
      (#"{"run_id":"ffffffffffffffffffffffffffffffff","metrics":[{"key":"a","value":1,"timestamp":1,"step":0}]}"#, "RESOURCE_DOES_NOT_EXIST"),
      (#"{"run_id":"\#(run)","metrics":[{"key":"a","value":1,"timestamp":1,"step":0}]} x"#, "BAD_REQUEST"),
      (#"{"run_id":"\#(run)","metrics":[{"key":"a","value":1e999,"timestamp":1,"step":0}]}"#, "BAD_REQUEST"),
      ("{\"run_id\":\"\(run)\",\"metrics\":[" + (0...1000).map { #"{"key":"a","value":1,"timestamp":1,"step":\#($0)}"# }.joined(separator: ",") + "]}", "INVALID_PARAMETER_VALUE"),
    ]
    for (body, code) in refused {
      let reply = try HTTP.post(api, json: body)
      #expect(reply.status >= 400, "\(body.prefix(120)): \(reply.text)")
      #expect(reply.errorCode == code, "\(body.prefix(120)): \(reply.text)")
    }
    server.stop()
    let store = try SQLiteStore(path: server.database, readOnly: true)
    let id = try #require(try store.run(uuid: run)).id
    let a = try store.metricSeries(of: id, key: "a")
    #expect(a.map(\.step) == [1, 2, 3, 4])
    #expect(Array(a.map(\.value).prefix(3)) == [0.5, 0.25, -0.001])
    #expect(a[3].value.isNaN)
    #expect(abs(a[3].wallTime.timeIntervalSince(a[0].wallTime) - 2) < 0.002)  // 1000 and "3000" ms
    #expect(try store.metricSeries(of: id, key: "b").map(\.value) == [2, 3])
    #expect(try store.params(of: id).map(\.key) == ["p"])
  }

  @Test func artifactPathsAreCheckedAndContentVerified() throws {
    let server = try ServerProcess(extra: ["--quiet"])
    let run = try createRun(server)
    let root = "\(server.url)/api/2.0/mlflow-artifacts/artifacts/0/\(run)/artifacts"
    let put = try HTTP.send("PUT", "\(root)/model/weights.bin", body: Data([1, 2, 3, 0, 255]))
    #expect(put.status == 200, "\(put.text)")
    #expect(try HTTP.send("GET", "\(root)/model/weights.bin").body == Data([1, 2, 3, 0, 255]))
    for hostile in ["%2E%2E/%2E%2E/escape", "a/../../b", "a%00b", "a//b", "%2Fetc%2Fpasswd"] {
      let reply = try HTTP.send("PUT", "\(root)/\(hostile)", body: Data("x".utf8))
      #expect(reply.status == 400, "\(hostile): \(reply.status) \(reply.text)")
    }
    #expect(try HTTP.send("GET", "\(root)/missing.bin").status == 404)
    let other = "\(server.url)/api/2.0/mlflow-artifacts/artifacts/7/\(run)/artifacts/x"
    #expect(try HTTP.send("PUT", other, body: Data("x".utf8)).status == 404)
    server.stop()
    // Damage the stored bytes (with the sqlite3 shell): a download is an error, never
    // wrong bytes.
    let store = try SQLiteStore(path: server.database, readOnly: true)
    let stored = try #require(try store.run(uuid: run))
    #expect(try store.artifacts(of: stored.id, prefix: nil).map(\.path) == ["model/weights.bin"])
    let sha = try store.artifact(of: stored.id, path: "model/weights.bin").sha256
    let sqlite = try #require(CommandRunner.executable(named: "sqlite3"), "sqlite3 is installed by .ci/run")
    let damage = try CommandRunner.run(
      sqlite, [server.database, "UPDATE blobs SET data = x'0102030000' WHERE sha256 = '\(sha)'"])
    #expect(damage.status == 0, "\(damage.stderr)")
    let again = try ServerProcess(database: server.database, extra: ["--quiet"])
    let reply = try HTTP.send(
      "GET",
      "\(again.url)/api/2.0/mlflow-artifacts/artifacts/0/\(run)/artifacts/model/weights.bin")
    #expect(reply.status == 500)
    #expect(reply.errorCode == "INTERNAL_ERROR")
    #expect(reply.text.contains(sha))
  }

  @Test func authRefusesStrangersAndReadOnlyUsersCannotWrite() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let users = folder.path("users")
    try "# name:role:password\nada:write:s3cret-pass\nbob:read:readonly-pass\n".write(
      toFile: users, atomically: true, encoding: .utf8)
    let server = try ServerProcess(extra: ["--users", users])
    func basic(_ user: String, _ password: String) -> [String: String] {
      ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }
    let search = "\(server.url)/api/2.0/mlflow/experiments/search"
    let anonymous = try HTTP.post(search, json: "{}")
    #expect(anonymous.status == 401)
    #expect(anonymous.errorCode == "UNAUTHENTICATED")
    #expect(anonymous.headers["www-authenticate"]?.contains("Basic") == true)
    #expect(try HTTP.post(search, json: "{}", headers: basic("ada", "wrong")).status == 401)
    #expect(try HTTP.post(search, json: "{}", headers: basic("bob", "readonly-pass")).status == 200)
    let create = "\(server.url)/api/2.0/mlflow/experiments/create"
    let denied = try HTTP.post(create, json: #"{"name":"x"}"#, headers: basic("bob", "readonly-pass"))
    #expect(denied.status == 403)
    #expect(denied.errorCode == "PERMISSION_DENIED")
    #expect(try HTTP.post(create, json: #"{"name":"x"}"#, headers: basic("ada", "s3cret-pass")).status == 200)
    #expect(try HTTP.send("GET", "\(server.url)/health").status == 200)
    server.stop()
    #expect(!server.log.contains("s3cret-pass"))
    #expect(!server.log.contains("readonly-pass"))

    let token = try ServerProcess(extra: ["--token", "a-long-token-1234"])
    #expect(try HTTP.post(search.replacingOccurrences(of: server.url, with: token.url), json: "{}").status == 401)
    #expect(
      try HTTP.post(
        search.replacingOccurrences(of: server.url, with: token.url), json: "{}",
        headers: ["Authorization": "Bearer a-long-token-1234"]
      ).status == 200)
  }

  @Test func refusesToListenBeyondLoopbackWithoutAuth() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let result = try CommandRunner.run(
      CommandRunner.product("track"),
      ["serve", "--db", folder.path("t.db"), "--host", "0.0.0.0", "--port", "0"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("--token"))
    let users = try CommandRunner.run(
      CommandRunner.product("track"),
      ["serve", "--db", folder.path("t.db"), "--users", folder.path("missing")])
    #expect(users.status == 2)
    #expect(users.stderr.contains("users file"))
  }

  @Test func healthMetricsAndAccessLog() throws {
    let server = try ServerProcess()
    let run = try createRun(server)
    let batch = (0..<10).map { #"{"key":"loss","value":\#($0),"timestamp":1700000000000,"step":\#($0)}"# }
    let logged = try HTTP.post(
      "\(server.url)/api/2.0/mlflow/runs/log-batch",
      json: #"{"run_id":"\#(run)","metrics":[\#(batch.joined(separator: ","))]}"#)
    #expect(logged.status == 200)
    _ = try HTTP.post("\(server.url)/api/2.0/mlflow/runs/get", json: "{}")
    let metrics = try HTTP.send("GET", "\(server.url)/metrics").text
    #expect(metrics.contains("track_points_written_total 10"))
    #expect(metrics.contains(#"track_http_requests_total{route="mlflow/runs/log-batch",status="200"} 1"#))
    #expect(metrics.contains("track_http_request_duration_seconds_bucket"))
    #expect(metrics.contains("track_active_runs_count 1"))
    #expect(metrics.contains("track_http_errors_total 1"))
    server.stop()
    #expect(server.log.contains("\"POST /api/2.0/mlflow/runs/log-batch\" 200"))
  }
}

/// The server and another process writing the same file at once: neither loses a point.
struct SharedStoreTests {
  @Test func requestsWhileAnotherProcessWritesTheSameStore() throws {
    let server = try ServerProcess(extra: ["--quiet"])
    let create = try HTTP.post(
      "\(server.url)/api/2.0/mlflow/runs/create", json: #"{"experiment_id":"0","run_name":"api"}"#)
    let info = (create.json["run"] as? [String: Any])?["info"] as? [String: Any]
    let run = try #require(info?["run_id"] as? String)
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let writers = try (0..<2).map { worker in
      try CommandRunner.start(
        CommandRunner.product("tracking-stress"), [server.database, String(worker), "20000"],
        stdout: URL(fileURLWithPath: folder.path("w\(worker).out")),
        stderr: URL(fileURLWithPath: folder.path("w\(worker).err")))
    }
    for batch in 0..<40 {
      let metrics = (0..<500).map { index in
        #"{"key":"api","value":\#(index),"timestamp":1700000000000,"step":\#(batch * 500 + index)}"#
      }
      let reply = try HTTP.post(
        "\(server.url)/api/2.0/mlflow/runs/log-batch",
        json: #"{"run_id":"\#(run)","metrics":[\#(metrics.joined(separator: ","))]}"#)
      #expect(reply.status == 200, "batch \(batch): \(reply.text)")
    }
    for writer in writers { writer.waitUntilExit() }
    #expect(writers.allSatisfy { $0.terminationStatus == 0 })
    server.stop()
    let store = try SQLiteStore(path: server.database, readOnly: true)
    let api = try #require(try store.run(uuid: run))
    #expect(try store.metricSeries(of: api.id, key: "api").count == 20_000)
    for worker in 0..<2 {
      let stress = try store.resolveRun("stress-\(worker)")
      #expect(try store.metricSeries(of: stress.id, key: "value").count == 20_000)
    }
    #expect(try store.check().isOK)
  }
}
