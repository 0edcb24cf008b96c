import ArgumentParser
import Experiments
import Foundation
import Tracking
import TrackServer

/// `track serve`: the MLflow tracking REST API (and track's own endpoints) over the store.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the store over HTTP: MLflow's tracking API, so any MLflow client logs into "
      + "it, and the web UI (runs, a run's charts and matrix, comparisons).",
    discussion: """
      Point an MLflow client at it: MLFLOW_TRACKING_URI=http://127.0.0.1:5000. Listens on
      127.0.0.1 unless --host says otherwise; any other address needs --token or --users.
      Stop with Ctrl-C or SIGTERM: requests in flight finish first, and every point a
      request acknowledged is already in the store. docs/server.md lists the endpoints.
      Open http://127.0.0.1:5000/ in a browser for the runs, a run's curves, matrix and
      forgetting, and comparisons (docs/web.md); `track report` writes them to a file.
      """)

  @OptionGroup var store: StoreOptions

  @Option(help: "Address to listen on (default 127.0.0.1, loopback only).")
  var host: String = "127.0.0.1"

  @Option(help: "Port to listen on (0: any free port, printed at start).")
  var port: Int = 5000

  @Option(
    help: ArgumentHelp(
      "Require this bearer token (clients set MLFLOW_TRACKING_TOKEN); default $TRACK_SERVER_TOKEN.",
      valueName: "token"))
  var token: String?

  @Option(
    help: ArgumentHelp(
      "Require basic auth against a users file of NAME:ROLE:PASSWORD lines (ROLE read or write; "
        + "PASSWORD plain or sha256:HEX).", valueName: "file"))
  var users: String?

  @Flag(help: "Do not print a line per request.")
  var quiet = false

  func run() throws {
    let token = self.token ?? ProcessInfo.processInfo.environment["TRACK_SERVER_TOKEN"]
    if token != nil && users != nil {
      throw CLIError(.usage, "give --token or --users, not both")
    }
    if let token, token.count < 8 {
      throw CLIError(.usage, "--token must be at least 8 characters long")
    }
    let auth: ServerAuth
    if let users {
      auth = .users(try ServerUser.load(path: users))
    } else if let token {
      auth = .token(token)
    } else {
      auth = .none
    }
    let configuration = ServerConfiguration(host: host, port: port, auth: auth, accessLog: !quiet)
    try configuration.validate()
    let opened = try store.openForWriting()
    // The web pages read through their own read-only connections, one per core.
    let readers = try (0..<max(1, ProcessInfo.processInfo.activeProcessorCount)).map { _ in
      try store.openForReading()
    }
    let server = TrackServer(store: opened, configuration: configuration, readers: readers)
    let host = self.host
    try blockingRun {
      try await server.run { port in
        let shown = host.contains(":") ? "[\(host)]" : host
        StandardError.write(
          "track serve: \(opened.location) at http://\(shown):\(port)\n"
            + "  web UI: http://\(shown):\(port)/\n"
            + "  MLFLOW_TRACKING_URI=http://\(shown):\(port)  (Ctrl-C stops)\n")
      }
    }
  }
}

/// Runs async work to completion from a synchronous command.
func blockingRun(_ work: @escaping @Sendable () async throws -> Void) throws {
  let box = ResultBox()
  let done = DispatchSemaphore(value: 0)
  Task {
    do { try await work() } catch { box.set(error) }
    done.signal()
  }
  done.wait()
  if let error = box.error {
    let text = "\(error)"
    if text.contains("Address already in use") || text.contains("bind(") {
      throw CLIError(.usage, "cannot listen: \(text) (another server on that port? try --port)")
    }
    throw error
  }
}

/// An error handed from a task to the waiting thread.
private final class ResultBox: @unchecked Sendable {
  // @unchecked: written once by the task before the semaphore is signalled, read after.
  private(set) var error: (any Error)?
  func set(_ error: any Error) { self.error = error }
}
