import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Tracking
import TrackWeb

/// How `track serve` (and the server `track exec` embeds) listens and whom it lets in.
public struct ServerConfiguration: Sendable {
  /// Address to bind; loopback unless a token or users file is set.
  public var host: String
  /// Port (0: any free port, told through `onListening`).
  public var port: Int
  /// Who may call.
  public var auth: ServerAuth
  /// One line per request on standard error.
  public var accessLog: Bool
  /// The largest JSON request body accepted (MLflow's clients send at most about 1 MB).
  public var maximumJSONBody: Int

  public init(
    host: String = "127.0.0.1", port: Int = 5000, auth: ServerAuth = .none,
    accessLog: Bool = true, maximumJSONBody: Int = 16 * 1024 * 1024
  ) {
    self.host = host
    self.port = port
    self.auth = auth
    self.accessLog = accessLog
    self.maximumJSONBody = maximumJSONBody
  }

  /// Refuses a non-loopback address without authentication (the store would be open to
  /// anyone on the network).
  public func validate() throws {
    guard (0...65535).contains(port) else {
      throw ServerError("--port \(port) is not a port (0 to 65535)")
    }
    let loopback = ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.")
    if !loopback && !auth.isRequired {
      throw ServerError(
        "refusing to listen on \(host) without authentication: anyone who can reach it could "
          + "read and change the store. Set --token TOKEN (or TRACK_SERVER_TOKEN) or --users "
          + "FILE, or keep the default --host 127.0.0.1.")
    }
  }
}

/// The request context: Hummingbird's, plus the caller's address for the access log.
struct TrackRequestContext: RequestContext {
  var coreContext: CoreRequestContextStorage
  let remoteAddress: String

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress?.ipAddress ?? "-"
  }
}

/// The HTTP front end over a store: MLflow's tracking REST API (`/api/2.0/mlflow/...`), its
/// proxied artifacts (`/api/2.0/mlflow-artifacts/...`), track's own endpoints
/// (`/api/2.0/track/...`), `/health` and Prometheus `/metrics`. Every store call runs on a
/// thread pool, never on the event loop. docs/server.md lists the endpoints.
public final class TrackServer: Sendable {
  let store: any TrackStore
  let configuration: ServerConfiguration
  let mlflow: MLflowAPI
  let artifacts: ArtifactAPI
  let native: NativeAPI
  let models: LoggedModelAPI
  let pages: WebViews
  let metrics: ServerMetrics
  let logger: Logger

  /// `readers`: read-only connections to the same store for the web pages, so a page never
  /// waits for (or holds up) the connection the API writes through, and a comparison reads
  /// its runs in parallel; empty, the pages read through `store`.
  public init(store: any TrackStore, configuration: ServerConfiguration, readers: [any TrackStore] = []) {
    self.store = store
    self.configuration = configuration
    let metrics = ServerMetrics()
    self.metrics = metrics
    let mlflow = MLflowAPI(store: store, onPointsWritten: { metrics.pointsWritten.increment(by: Int64($0)) })
    self.mlflow = mlflow
    self.artifacts = ArtifactAPI(store: store)
    self.native = NativeAPI(store: store, mlflow: mlflow)
    self.models = LoggedModelAPI(store: store, mlflow: mlflow)
    self.pages = WebViews(store: store, readers: readers)
    var logger = Logger(label: "track.serve")
    logger.logLevel = .info
    self.logger = logger
  }

  /// Serves until SIGINT or SIGTERM (when `handleSignals`) or `stop()`; requests in flight
  /// finish first. `onListening` gets the bound port.
  public func run(
    handleSignals: Bool = true, onListening: @escaping @Sendable (Int) -> Void = { _ in }
  ) async throws {
    try configuration.validate()
    let responder = CallbackResponder<TrackRequestContext> { [self] request, context in
      await self.respond(request, context: context)
    }
    var serverLogger = Logger(label: "track.serve.hummingbird")
    serverLogger.logLevel = .warning
    let app = Application(
      responder: responder,
      configuration: .init(
        address: .hostname(configuration.host, port: configuration.port), serverName: "track"),
      onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
      logger: serverLogger)
    let group = ServiceGroup(
      configuration: .init(
        services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
        logger: serverLogger))
    running.set(group)
    try await group.run()
  }

  /// Stops a running server gracefully: requests in flight finish, then `run` returns.
  public func stop() async {
    await running.get()?.triggerGracefulShutdown()
  }

  private let running = GroupBox()

  // MARK: Requests

  /// An answer before it becomes a Response.
  struct Reply {
    var status: Int
    var body: ByteBuffer
    var contentType: String
    /// The challenge of a 401.
    var authenticate: String? = nil
    /// Headers beyond the content type (the web pages' security policy, downloads).
    var headers: HTTPFields = [:]
  }

  func respond(_ request: Request, context: TrackRequestContext) async -> Response {
    let started = ContinuousClock.now
    let path = request.uri.path
    let method = request.method.rawValue
    let (route, reply) = await dispatch(request, path: path, method: method)
    var headers = reply.headers
    headers[.contentType] = reply.contentType
    if let challenge = reply.authenticate { headers[.wwwAuthenticate] = challenge }
    let elapsed = ContinuousClock.now - started
    metrics.record(route: route, status: reply.status, duration: elapsed)
    if configuration.accessLog {
      let milliseconds = Double(elapsed.components.attoseconds) / 1e15
        + Double(elapsed.components.seconds) * 1000
      logger.info(
        "\(context.remoteAddress) \"\(method) \(path)\" \(reply.status) \(reply.body.readableBytes)B \(String(format: "%.1f", milliseconds))ms"
      )
    }
    return Response(
      status: HTTPResponse.Status(code: reply.status), headers: headers,
      body: ResponseBody(byteBuffer: reply.body))
  }

  private func json(_ status: Int, _ bytes: [UInt8]) -> Reply {
    Reply(status: status, body: ByteBuffer(bytes: bytes), contentType: "application/json")
  }

  private func failure(_ error: MLflowError) -> Reply {
    var reply = json(error.status ?? error.code.status, error.body)
    if error.code == .unauthenticated {
      reply.authenticate = "Basic realm=\"track\""
    }
    return reply
  }

  /// Routes a request; returns the route's label for metrics (bounded: no ids in it).
  private func dispatch(_ request: Request, path: String, method: String) async -> (String, Reply) {
    if path == "/health" {
      return ("health", Reply(status: 200, body: ByteBuffer(string: "OK"), contentType: "text/plain"))
    }
    let access = configuration.auth.access(authorization: request.headers[.authorization])
    guard let access else {
      return (
        "unauthenticated",
        failure(MLflowError(.unauthenticated, "Authentication required: send a bearer token "
          + "(MLFLOW_TRACKING_TOKEN) or a user name and password (MLFLOW_TRACKING_USERNAME, "
          + "MLFLOW_TRACKING_PASSWORD)."))
      )
    }
    if path == "/metrics" {
      let text = await metrics.exposition(store: store)
      return ("metrics", Reply(status: 200, body: ByteBuffer(bytes: text), contentType: "text/plain; version=0.0.4"))
    }
    for prefix in ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/", "/api/2.0/preview/mlflow/"] {
      guard let rest = path.dropPrefixText(prefix) else { continue }
      if rest == "artifacts/list" {
        return ("mlflow/artifacts/list", await call(request, method: method, access: access, write: false) { fields in
          let run = try self.mlflow.findRun(fields)
          return try self.artifacts.listForRun(run, path: try fields.string("path"))
        })
      }
      if rest == "logged-models" || rest.hasPrefix("logged-models/") {
        let sub = rest == "logged-models" ? "" : String(rest.dropFirst("logged-models/".count))
        guard let handler = models.handler(method: method, rest: sub) else {
          return ("other", notFound(method: method, path: path, known: false))
        }
        let write = method != "GET" && sub != "search"
        return ("mlflow/logged-models", await call(request, method: method, access: access, write: write, handler))
      }
      let key = "\(method) \(rest)"
      if key == "POST runs/log-batch" {
        // The hot path of every client: the plain shape is read with no JSON tree; anything
        // else goes through the general parser (and its errors).
        return ("mlflow/\(rest)", await call(request, method: method, access: access, write: true,
          plain: { bytes in
            guard let batch = JSONReader.plainLogBatch(bytes) else { return nil }
            return try self.mlflow.logBatch(plain: batch)
          }) { try self.mlflow.logBatch($0) })
      }
      guard let handler = MLflowAPI.endpoints[key] else {
        return ("other", notFound(method: method, path: path, known: MLflowAPI.paths.contains(rest)))
      }
      let write = !MLflowAPI.isRead(method: method, path: rest)
      return ("mlflow/\(rest)", await call(request, method: method, access: access, write: write) {
        try handler(self.mlflow, $0)
      })
    }
    if let rest = path.dropPrefixText("/api/2.0/track/") {
      guard let handler = NativeAPI.endpoints["\(method) \(rest)"] else {
        return ("other", notFound(method: method, path: path, known: false))
      }
      return ("track/\(rest)", await call(request, method: method, access: access, write: method != "GET") {
        try handler(self.native, $0)
      })
    }
    if path == "/api/2.0/mlflow-artifacts/artifacts" || path.hasPrefix("/api/2.0/mlflow-artifacts/artifacts/") {
      return ("mlflow-artifacts", await artifact(request, path: path, method: method, access: access))
    }
    if let answer = await web(request, path: path, method: method) { return answer }
    return ("other", notFound(method: method, path: path, known: false))
  }

  private func notFound(method: String, path: String, known: Bool) -> Reply {
    if known {
      return failure(MLflowError(.endpointNotFound, "\(method) is not allowed on \(path).", status: 405))
    }
    return failure(MLflowError(.endpointNotFound, "No endpoint \(method) \(path) on this server (docs/server.md lists them)."))
  }

  /// Reads the fields (query string or JSON body), checks write access, and runs `body` on
  /// the thread pool, turning every error into MLflow's shape.
  /// `plain`, when given, answers from the raw body first (nil: not its shape, read the
  /// fields as usual).
  private func call(
    _ request: Request, method: String, access: ServerAuth.Access, write: Bool,
    plain: (@Sendable (UnsafeRawBufferPointer) throws -> [UInt8]?)? = nil,
    _ body: @escaping @Sendable (Fields) throws -> [UInt8]
  ) async -> Reply {
    if write && access == .read {
      return failure(MLflowError(.permissionDenied, "This user may read the store but not write to it."))
    }
    do {
      let fields: Fields
      if method == "GET" || method == "DELETE" {
        fields = Fields(query: request.uri.query ?? "")
      } else {
        let buffer: ByteBuffer
        do {
          buffer = try await request.body.collect(upTo: configuration.maximumJSONBody)
        } catch is NIOTooManyBytesError {
          return failure(MLflowError(
            .invalidParameterValue,
            "The request body is larger than \(configuration.maximumJSONBody) bytes.", status: 413))
        }
        if let plain {
          let answer = try await NIOThreadPool.singleton.runIfActive {
            try buffer.withUnsafeReadableBytes { try plain($0) }
          }
          if let answer { return json(200, answer) }
        }
        fields = try await NIOThreadPool.singleton.runIfActive {
          () throws -> Fields in
          if buffer.readableBytes == 0 { return Fields(members: JSONObject()) }
          return try buffer.withUnsafeReadableBytes { try Fields(body: JSONReader.parse($0)) }
        }
      }
      let bytes = try await NIOThreadPool.singleton.runIfActive { try body(fields) }
      return json(200, bytes)
    } catch {
      return failure(TrackServer.mlflowError(error))
    }
  }

  static func mlflowError(_ error: any Error) -> MLflowError {
    switch error {
    case let error as MLflowError: return error
    case let error as TrackingError: return MLflowError(error)
    case let error as JSONError: return MLflowError(.badRequest, error.message)
    default: return MLflowError(.internalError, "\(error)")
    }
  }

  private func artifact(
    _ request: Request, path: String, method: String, access: ServerAuth.Access
  ) async -> Reply {
    let relative = path.dropPrefixText("/api/2.0/mlflow-artifacts/artifacts/") ?? ""
    let decoded = relative.removingPercentEncoding ?? relative
    do {
      switch method {
      case "GET" where relative.isEmpty:
        let fields = Fields(query: request.uri.query ?? "")
        let folder = try fields.string("path") ?? ""
        let bytes = try await NIOThreadPool.singleton.runIfActive {
          try self.artifacts.listProxied(folder)
        }
        return json(200, bytes)
      case "GET":
        let data = try await NIOThreadPool.singleton.runIfActive { try self.artifacts.download(decoded) }
        return Reply(status: 200, body: ByteBuffer(bytes: data), contentType: "application/octet-stream")
      case "PUT":
        if access == .read {
          return failure(MLflowError(.permissionDenied, "This user may read the store but not write to it."))
        }
        let buffer: ByteBuffer
        do {
          buffer = try await request.body.collect(upTo: ArtifactAPI.maximumFileSize)
        } catch is NIOTooManyBytesError {
          return failure(MLflowError(
            .invalidParameterValue,
            "The file is larger than \(ArtifactAPI.maximumFileSize / 1024 / 1024) MiB, the most "
              + "an artifact may be here (docs/server.md).", status: 413))
        }
        let bytes = try await NIOThreadPool.singleton.runIfActive {
          try self.artifacts.upload(decoded, data: Array(buffer.readableBytesView))
        }
        return json(200, bytes)
      default:
        return failure(MLflowError(.endpointNotFound, "\(method) is not allowed on artifacts.", status: 405))
      }
    } catch {
      return failure(TrackServer.mlflowError(error))
    }
  }
}

/// Prometheus metrics of the server: requests by route and status, their latency, points
/// written, errors, and the runs running now.
final class ServerMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  let pointsWritten: Counter
  let errors: Counter
  private let buckets: [Duration] = [
    .microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25),
    .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10),
  ]

  init() {
    pointsWritten = registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "track", metricName: "points_written", unitName: "total",
        helpText: "Metric points written through the API."))
    errors = registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "track", metricName: "http_errors", unitName: "total",
        helpText: "Requests answered with a 4xx or 5xx status."))
  }

  func record(route: String, status: Int, duration: Duration) {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "track", metricName: "http_requests", unitName: "total",
        helpText: "HTTP requests by route and status."),
      labels: [("route", route), ("status", String(status))]
    ).increment()
    registry.makeDurationHistogram(
      descriptor: MetricNameDescriptor(
        namespace: "track", metricName: "http_request_duration", unitName: "seconds",
        helpText: "Time to answer a request, by route."),
      labels: [("route", route)], buckets: buckets
    ).record(duration)
    if status >= 400 { errors.increment() }
  }

  func exposition(store: any TrackStore) async -> [UInt8] {
    let running = try? await NIOThreadPool.singleton.runIfActive {
      try store.countRuns(where: RunFilter(.compare(field: "status", .equal, .text("running"))))
    }
    registry.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "track", metricName: "active_runs", unitName: "count",
        helpText: "Runs whose status is running (heartbeat fresh).")
    ).set(Double(running ?? 0))
    return registry.emitToBuffer()
  }
}

/// The service group of a running server, so `stop()` can reach it.
private final class GroupBox: @unchecked Sendable {
  // @unchecked: `group` is only touched under `lock`.
  private let lock = NSLock()
  private var group: ServiceGroup?

  func set(_ group: ServiceGroup) {
    lock.lock()
    self.group = group
    lock.unlock()
  }

  func get() -> ServiceGroup? {
    lock.lock()
    defer { lock.unlock() }
    return group
  }
}
