import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Tracking
import TrackWeb

/// The web UI's routes: `/` (runs), `/runs/ID`, `/compare?run=A&run=B`, `/runs/ID/artifacts/PATH`
/// and `/static/track.js`. Same auth as the API (a browser answers the Basic challenge);
/// pages are drawn by TrackWeb on the thread pool.
extension TrackServer {
  /// Answers a web route, or nil when `path` is not one.
  func web(_ request: Request, path: String, method: String) async -> (String, Reply)? {
    let isPage = path == "/" || path == "/runs" || path == "/compare" || path.hasPrefix("/runs/")
    guard isPage || path == "/static/track.js" else { return nil }
    guard method == "GET" || method == "HEAD" else {
      let message = WebMessage(text: "\(method) is not allowed on \(path): pages are read with GET.")
      return ("web", page(pages.errorPage(status: 405, message)))
    }
    if path == "/static/track.js" {
      var headers = HTTPFields()
      headers[.cacheControl] = "max-age=3600"
      return (
        "web/static",
        Reply(status: 200, body: ByteBuffer(string: WebAssets.script),
              contentType: "text/javascript; charset=utf-8", headers: headers)
      )
    }
    let query = WebQuery(queryString: request.uri.query ?? "")
    let parts = path.split(separator: "/").map(String.init)
    if parts.count >= 3, parts[0] == "runs", parts[2] == "artifacts" {
      let relative = parts[3...].map { $0.removingPercentEncoding ?? $0 }.joined(separator: "/")
      return ("web/artifact", await download(runText: parts[1], path: relative))
    }
    let route: String
    let render: @Sendable () throws -> WebPage
    switch parts.count {
    case 0, 1 where parts.first == "runs":
      route = "web/runs"
      render = { try self.pages.runs(query) }
    case 1 where parts[0] == "compare":
      route = "web/compare"
      render = {
        // `run=` in the order given (the first is the baseline); runs ticked in the table
        // (`sel=`) with the oldest as the baseline, as in `track diff base newer`.
        let ids = try (query.values["run"] ?? []).flatMap { $0.split(separator: ",") }.map {
          try TrackServer.runID(String($0))
        } + (try (query.values["sel"] ?? []).map { try TrackServer.runID($0) }.sorted())
        return try self.pages.compare(ids, query)
      }
    case 2 where parts[0] == "runs":
      route = "web/run"
      render = { try self.pages.run(try TrackServer.runID(parts[1]), query) }
    default:
      return ("web", page(pages.errorPage(status: 404, WebMessage(text: "There is no page at \(path). The runs are at /."))))
    }
    do {
      let answer = try await NIOThreadPool.singleton.runIfActive(render)
      return (route, page(answer))
    } catch {
      return (route, page(pages.errorPage(status: TrackServer.webStatus(error), error)))
    }
  }

  /// An HTML reply with the pages' security policy: nothing may load from anywhere but this
  /// server (the style is inline), so a page works offline and leaks nothing.
  private func page(_ page: WebPage) -> Reply {
    var headers = HTTPFields()
    headers[.contentSecurityPolicy] =
      "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
      + "style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    headers[.cacheControl] = "no-store"
    return Reply(
      status: page.status, body: ByteBuffer(string: page.html),
      contentType: "text/html; charset=utf-8", headers: headers)
  }

  private func download(runText: String, path: String) async -> Reply {
    do {
      let (name, data) = try await NIOThreadPool.singleton.runIfActive {
        () throws -> (String, Data) in
        let record = try self.store.artifact(of: try TrackServer.runID(runText), path: path)
        return (record.path, try self.store.loadBlob(record.sha256))
      }
      var headers = HTTPFields()
      let file = (name.split(separator: "/").last.map(String.init) ?? "artifact")
        .replacingOccurrences(of: "\"", with: "")
      headers[.contentDisposition] = "attachment; filename=\"\(file)\""
      return Reply(
        status: 200, body: ByteBuffer(bytes: data), contentType: "application/octet-stream",
        headers: headers)
    } catch {
      return page(pages.errorPage(status: TrackServer.webStatus(error), error))
    }
  }

  static func runID(_ text: String) throws -> RunID {
    guard let id = RunID(text), id > 0 else {
      throw TrackingError(.runNotFound, "'\(text)' is not a run id (runs are numbered from 1).")
    }
    return id
  }

  static func webStatus(_ error: any Error) -> Int {
    guard let error = error as? TrackingError else { return 400 }
    switch error.code {
    case .runNotFound, .artifactNotFound, .blobNotFound, .experimentNotFound: return 404
    case .blobCorrupt: return 500
    default: return 400
    }
  }
}

/// What a page says went wrong.
struct WebMessage: Error, CustomStringConvertible {
  var text: String
  var description: String { text }
}
