import Foundation
import TestSupport

/// A real headless Chromium (Debian's `chromium`, which `.ci/run` installs), driven over the
/// DevTools protocol by Tests/ServerTests/Python/browse.py: load a page, evaluate a script
/// in it, list every request it made and every console message, take a screenshot.
enum Browser {
  static let chromium: URL? =
    CommandRunner.executable(named: "chromium") ?? CommandRunner.executable(named: "chromium-browser")
  static let python = CommandRunner.executable(named: "python3")
  static var isAvailable: Bool { chromium != nil && python != nil }
  /// CI must run these tests: a missing browser there is a failure, not a skip.
  static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

  /// Screenshots go here (inside .build, never committed).
  static let screenshots: URL = {
    let url = MLflowPython.repository.appendingPathComponent(".build/web-screenshots")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  /// What a page did and what `eval` found in it.
  struct Visit {
    var result: Any?
    var requests: [String]
    var console: [String]
    var exceptions: [String]
    var status: Int?
    var screenshot: URL

    /// Requests that went anywhere but `origin` (a server's URL, or `file://` for a report).
    func requests(outside origin: String) -> [String] {
      requests.filter { !$0.hasPrefix(origin) }
    }

    var object: [String: Any] { result as? [String: Any] ?? [:] }
  }

  /// Loads `url` in a fresh browser profile at `width`×`height`, waits for `waitFor` (a JS
  /// expression) when given, evaluates `eval` and takes a full-page screenshot named `name`.
  static func visit(
    _ url: String, eval: String, waitFor: String? = nil, name: String, width: Int = 1280,
    height: Int = 800, timeout: Int = 60
  ) throws -> Visit {
    guard let chromium, let python else {
      throw ServerTestError("Chromium and python3 are needed for the browser tests (.ci/run installs chromium)")
    }
    let script = MLflowPython.repository.appendingPathComponent("Tests/ServerTests/Python/browse.py").path
    let shot = screenshots.appendingPathComponent("\(name).png")
    var arguments = [
      script, "--chromium", chromium.path, "--url", url, "--eval", eval, "--screenshot", shot.path,
      "--width", String(width), "--height", String(height), "--timeout", String(timeout),
    ]
    if let waitFor { arguments += ["--wait-for", waitFor] }
    let result = try CommandRunner.run(python, arguments)
    guard result.status == 0 else {
      throw ServerTestError("browse.py failed on \(url): \(result.stderr)")
    }
    let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
    guard let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    else { throw ServerTestError("browse.py printed no JSON: \(result.stdout)") }
    let console = (object["console"] as? [[String: Any]] ?? []).map {
      "\($0["level"] ?? ""): \($0["text"] ?? "") \($0["url"] ?? "")"
    }
    return Visit(
      result: object["result"], requests: object["requests"] as? [String] ?? [],
      console: console, exceptions: object["exceptions"] as? [String] ?? [],
      status: object["status"] as? Int, screenshot: shot)
  }

  /// The charts of a page: key → series (name, points drawn, points logged, path vertices).
  static let chartsScript = """
    Object.fromEntries([...document.querySelectorAll('[data-chart]')].map(f => [f.dataset.chart,
      [...f.querySelectorAll('path[data-series]')].map(p => ({name: p.dataset.series,
        points: +p.dataset.points, total: +p.dataset.total,
        vertices: (p.getAttribute('d').match(/[ML]/g) || []).length}))]))
    """

  /// The heatmaps of a page: kind → [[i, j, value]].
  static let heatmapsScript = """
    Object.fromEntries([...document.querySelectorAll('[data-heatmap]')].map(h => [h.dataset.heatmap,
      [...h.querySelectorAll('.cell')].map(c => [+c.dataset.i, +c.dataset.j, +c.dataset.value])]))
    """

  /// Table rows by `data-table`.
  static let tablesScript = """
    Object.fromEntries([...document.querySelectorAll('table[data-table]')].map(t => [t.dataset.table,
      [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(d => d.textContent.trim()))]))
    """
}
