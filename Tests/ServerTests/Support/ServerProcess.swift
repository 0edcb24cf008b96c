import Foundation
import TestSupport

/// A real `track serve` on a free loopback port, for one test; stopped by `stop()`.
final class ServerProcess {
  let folder: TemporaryFolder
  let database: String
  let process: Process
  let port: Int
  let stderr: URL
  var url: String { "http://127.0.0.1:\(port)" }

  /// Starts `track serve --db DATABASE --port 0 EXTRA...` and waits for it to listen.
  init(database: String? = nil, extra: [String] = [], environment: [String: String] = [:])
    throws
  {
    folder = try TemporaryFolder(prefix: "track-serve")
    self.database = database ?? folder.path("track.db")
    stderr = URL(fileURLWithPath: folder.path("serve.err"))
    process = try CommandRunner.start(
      CommandRunner.product("track"),
      ["serve", "--db", self.database, "--port", "0"] + extra,
      environment: environment, stdout: URL(fileURLWithPath: folder.path("serve.out")),
      stderr: stderr)
    let deadline = Date().addingTimeInterval(30)
    var found: Int?
    while found == nil, Date() < deadline, process.isRunning {
      let text = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
      if let range = text.range(of: "at http://127.0.0.1:") {
        found = Int(text[range.upperBound...].prefix { $0.isNumber })
      } else {
        Thread.sleep(forTimeInterval: 0.05)
      }
    }
    guard let found else {
      process.terminate()
      let text = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
      throw ServerTestError("track serve did not start: \(text)")
    }
    port = found
  }

  /// SIGTERM, then waits (a graceful stop).
  @discardableResult
  func stop() -> Int32 {
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    return process.terminationStatus
  }

  deinit {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    folder.remove()
  }

  /// What the server printed on standard error.
  var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
}

struct ServerTestError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// A plain HTTP request (no MLflow client), for the cases a client never sends; sent with
/// curl (URLSession on Linux waits on a 401's Basic challenge instead of returning it).
struct HTTP {
  struct Reply {
    var status: Int
    var body: Data
    var headers: [String: String]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }
    var errorCode: String? { json["error_code"] as? String }
  }

  static func send(
    _ method: String, _ url: String, body: Data? = nil, headers: [String: String] = [:]
  ) throws -> Reply {
    guard let curl = CommandRunner.executable(named: "curl") else {
      throw ServerTestError("curl is needed (.ci/run installs it)")
    }
    let folder = try TemporaryFolder(prefix: "track-http")
    defer { folder.remove() }
    var arguments = [
      "-s", "-S", "--globoff", "--path-as-is", "-X", method, "-o", folder.path("body"),
      "-D", folder.path("headers"), "-w", "%{http_code}", "--max-time", "60",
    ]
    if let body {
      try body.write(to: URL(fileURLWithPath: folder.path("request")))
      arguments += ["--data-binary", "@" + folder.path("request")]
    }
    for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
    arguments.append(url)
    let result = try CommandRunner.run(curl, arguments)
    guard result.status == 0, let status = Int(result.stdout.trimmingCharacters(in: .whitespaces))
    else { throw ServerTestError("curl \(method) \(url) failed: \(result.stderr)") }
    var fields: [String: String] = [:]
    let head = (try? String(contentsOfFile: folder.path("headers"), encoding: .utf8)) ?? ""
    for line in head.split(separator: "\r\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    let data = (try? Data(contentsOf: URL(fileURLWithPath: folder.path("body")))) ?? Data()
    return Reply(status: status, body: data, headers: fields)
  }

  static func post(_ url: String, json: String, headers: [String: String] = [:]) throws -> Reply {
    try send(
      "POST", url, body: Data(json.utf8),
      headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a })
  }
}

/// The Python with the real MLflow client (mlflow-skinny, scikit-learn): TRACK_TEST_PYTHON,
/// else the venv `.ci/run` makes (.venv-ci). In CI its absence fails the tests.
enum MLflowPython {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static let executable: URL? = {
    let environment = ProcessInfo.processInfo.environment
    if let given = environment["TRACK_TEST_PYTHON"], !given.isEmpty {
      return URL(fileURLWithPath: given)
    }
    let venv = repository.appendingPathComponent(".venv-ci/bin/python")
    return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
  }()

  static var isAvailable: Bool { executable != nil }
  /// CI must run these tests: a missing client there is a failure, not a skip.
  static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

  /// Runs a script of Tests/ServerTests/Python against `server`; returns its last stdout
  /// line parsed as JSON.
  static func run(_ script: String, server: ServerProcess, environment: [String: String] = [:])
    throws -> [String: Any]
  {
    guard let executable else { throw ServerTestError("no Python with mlflow (TRACK_TEST_PYTHON)") }
    let path = repository.appendingPathComponent("Tests/ServerTests/Python/\(script)").path
    var env = ["MLFLOW_TRACKING_URI": server.url, "PYTHONWARNINGS": "ignore"]
    env.merge(environment) { _, new in new }
    let result = try CommandRunner.run(executable, [path], environment: env)
    guard result.status == 0 else {
      throw ServerTestError("\(script) exited \(result.status):\n\(result.stderr)\n\(result.stdout)")
    }
    let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
    guard let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    else { throw ServerTestError("\(script) printed no JSON: \(result.stdout)") }
    return object
  }
}
