import Foundation
import TestSupport
import Testing
import Tracking
import TrackingSQLite

/// The web UI (`track serve` at /) and `track report`, loaded in a real headless Chromium
/// over a store made by real `track run`s and a `track exec` run. Every visit also checks
/// that the page asked nothing of any other origin and logged no console error, and leaves a
/// screenshot in .build/web-screenshots.
@Suite(.serialized, .enabled(if: Browser.isAvailable || Browser.isRequired))
struct WebUITests {
  /// Runs 1 (replay) and 2 (naive) of the synthetic smoke spec, 3: `track exec` of a script
  /// that prints 5,000 loss values (one spike) and uploads an artifact.
  static let fixture: Result<WebFixture, any Error> = Result { try WebFixture() }

  let track = CommandRunner.product("track")

  func fixture() throws -> WebFixture { try WebUITests.fixture.get() }

  /// What every page must do: load with 200, ask only its own server, log no error.
  func expectClean(_ visit: Browser.Visit, origin: String, status: Int = 200) {
    #expect(visit.status == status)
    #expect(visit.requests(outside: origin).isEmpty, "requests outside \(origin): \(visit.requests)")
    #expect(visit.console.isEmpty, "console: \(visit.console)")
    #expect(visit.exceptions.isEmpty, "exceptions: \(visit.exceptions)")
  }

  func matrix(_ run: Int, db: String) throws -> [[Double]] {
    let result = try CommandRunner.run(track, ["matrix", String(run), "--db", db, "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let rows = object?["rows"] as? [[String: Any]] ?? []
    return rows.map { $0["scores"] as? [Double] ?? [] }
  }

  /// [[i, j, value]] cells as a dictionary "i,j" → value.
  func cells(_ any: Any?) -> [String: Double] {
    var out: [String: Double] = [:]
    for cell in any as? [[Double]] ?? [] where cell.count == 3 {
      out["\(Int(cell[0])),\(Int(cell[1]))"] = cell[2]
    }
    return out
  }

  @Test func theRunsPageListsFiltersSortsAndPages() throws {
    let fixture = try fixture()
    let server = try ServerProcess(database: fixture.database)
    defer { server.stop() }
    let rows = "[...document.querySelectorAll('table[data-table=runs] tbody tr')].map(r => +r.dataset.run)"
    let page = try Browser.visit(
      server.url + "/",
      eval: "({rows: \(rows), total: +document.querySelector('[data-total]').dataset.total, heads: [...document.querySelectorAll('table[data-table=runs] th')].map(h => h.textContent)})",
      name: "runs")
    expectClean(page, origin: server.url)
    let listed = try CommandRunner.run(track, ["runs", "--db", fixture.database, "--format", "json", "--all"])
    let all = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
    #expect(page.object["rows"] as? [Int] == all.compactMap { $0["id"] as? Int })
    #expect(page.object["total"] as? Int == all.count)
    let heads = page.object["heads"] as? [String] ?? []
    for column in ["id", "status", "duration", "ACC", "BWT", "FWT", "forgetting", "strategy.type"] {
      #expect(heads.contains(column), "missing column \(column) in \(heads)")
    }

    // The filter language of --where, sorted by a column.
    let filtered = try Browser.visit(
      server.url + "/?q=" + "strategy.type = replay or name = curve".addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "&sort=-id",
      eval: "({rows: \(rows)})", name: "runs-filtered")
    expectClean(filtered, origin: server.url)
    #expect(filtered.object["rows"] as? [Int] == [3, 1])

    // A filter that does not parse: the error inline, with the column where it went wrong.
    let broken = try Browser.visit(
      server.url + "/?q=acc%20%3E",
      eval: "({error: document.querySelector('[data-error=filter]').textContent, rows: \(rows)})",
      name: "runs-filter-error")
    expectClean(broken, origin: server.url)
    let error = broken.object["error"] as? String ?? ""
    #expect(error.contains("column 6"), "\(error)")
    #expect(error.contains("^"))
    let unknown = try Browser.visit(
      server.url + "/?q=accc%20%3E%200.5", eval: "document.querySelector('[data-error=filter]').textContent",
      name: "runs-unknown-key")
    #expect((unknown.result as? String ?? "").contains("did you mean 'acc'"))

    // Pages: two runs a page, then the third on page 2 through the "next" link.
    let first = try Browser.visit(
      server.url + "/?n=2", eval: "({rows: \(rows), next: document.querySelector('a[rel=next]').href})",
      name: "runs-page1")
    expectClean(first, origin: server.url)
    #expect(first.object["rows"] as? [Int] == [3, 2])
    let next = try #require(first.object["next"] as? String)
    let second = try Browser.visit(next, eval: "({rows: \(rows)})", name: "runs-page2")
    #expect(second.object["rows"] as? [Int] == [1])
  }

  @Test func aRunPageDrawsItsCurvesMatrixAndForgetting() throws {
    let fixture = try fixture()
    let server = try ServerProcess(database: fixture.database)
    defer { server.stop() }
    let visit = try Browser.visit(
      server.url + "/runs/1",
      eval: "({charts: \(Browser.chartsScript), heatmaps: \(Browser.heatmapsScript), tables: \(Browser.tablesScript), status: document.querySelector('[data-status]').dataset.status})",
      name: "run")
    expectClean(visit, origin: server.url)
    #expect(visit.object["status"] as? String == "finished")
    // The heatmap: every cell of `track matrix --format json`, baseline row included.
    let expected = try matrix(1, db: fixture.database)
    let drawn = cells((visit.object["heatmaps"] as? [String: Any])?["matrix"])
    #expect(drawn.count == expected.count * (expected.first?.count ?? 0))
    for (i, row) in expected.enumerated() {
      for (j, value) in row.enumerated() {
        #expect(abs((drawn["\(i),\(j + 1)"] ?? .nan) - value) < 1e-12, "R[\(i)][\(j + 1)]")
      }
    }
    let charts = visit.object["charts"] as? [String: [[String: Any]]] ?? [:]
    // The forgetting plot: one line per task, one point per stage (0...3).
    #expect(charts["forgetting"]?.count == 3)
    #expect(charts["forgetting"]?.allSatisfy { $0["points"] as? Int == 4 } == true)
    // One chart per metric, one series each, every point drawn (few points).
    let store = try SQLiteStore(path: fixture.database, readOnly: true)
    for key in try store.metricKeys(of: 1) {
      let series = try #require(charts[key], "no chart for \(key)")
      #expect(series.count == 1)
      let count = try store.metricSeries(of: 1, key: key).count
      #expect(series.first?["points"] as? Int == count)
      #expect(series.first?["vertices"] as? Int == count)
    }
    let tables = visit.object["tables"] as? [String: [[String]]] ?? [:]
    #expect(tables["params"]?.contains(["strategy.type", "replay"]) == true)
    #expect(tables["checkpoints"]?.isEmpty == false)
    #expect(tables["tasks"]?.count == 3)
    // The knowledge base by task adds up to the run's (replay, 30 samples).
    let byTask = tables["tasks"]?.compactMap { Int($0.last ?? "") } ?? []
    #expect(byTask.reduce(0, +) == (try store.knowledgeBaseCount(of: 1)))
    #expect(byTask.reduce(0, +) == 30)

    // At phone width nothing is wider than the screen.
    let phone = try Browser.visit(
      server.url + "/runs/1", eval: "document.documentElement.scrollWidth", name: "run-phone",
      width: 390, height: 844)
    expectClean(phone, origin: server.url)
    #expect((phone.result as? Int ?? 9999) <= 390)
  }

  @Test func aLongCurveIsDownsampledWithItsSpikeAndArtifactsDownload() throws {
    let fixture = try fixture()
    let server = try ServerProcess(database: fixture.database)
    defer { server.stop() }
    let visit = try Browser.visit(
      server.url + "/runs/3",
      eval: "({charts: \(Browser.chartsScript), artifact: document.querySelector('[data-table=artifacts] a').href, top: (() => { const p = document.querySelector('[data-chart=loss] path'); const ys = p.getAttribute('d').split(/[ML]/).filter(s => s).map(s => +s.split(' ')[1]); return Math.min(...ys); })()})",
      name: "run-exec")
    expectClean(visit, origin: server.url)
    let loss = try #require((visit.object["charts"] as? [String: [[String: Any]]])?["loss"]?.first)
    #expect(loss["total"] as? Int == 5000)
    let drawn = loss["points"] as? Int ?? 0
    #expect(drawn <= 2002 && drawn > 100, "\(drawn) points drawn")
    #expect(loss["vertices"] as? Int == drawn)
    // The one spike (value 6 among values ≤ 1) reaches the top of the plot (y = 12 px).
    #expect(abs((visit.object["top"] as? Double ?? 0) - 12) < 0.5)
    // The artifact link downloads the bytes the program uploaded.
    let link = try #require(visit.object["artifact"] as? String)
    let reply = try HTTP.send("GET", link)
    #expect(reply.status == 200)
    #expect(reply.text == "hello from exec")
    #expect(reply.headers["content-disposition"]?.contains("hello.txt") == true)
  }

  @Test func theComparePageOverlaysRunsAndDrawsTheMatrixDelta() throws {
    let fixture = try fixture()
    let server = try ServerProcess(database: fixture.database)
    defer { server.stop() }
    // Selecting runs in the table and pressing "compare" submits the form.
    let visit = try Browser.visit(
      server.url + "/",
      eval: "({charts: \(Browser.chartsScript), heatmaps: \(Browser.heatmapsScript), tables: \(Browser.tablesScript), url: location.href})",
      waitFor: """
        (function () {
          if (location.pathname === '/compare') return document.readyState === 'complete';
          if (!window.__submitted) {
            window.__submitted = true;
            document.querySelector('input[name=sel][value="1"]').checked = true;
            document.querySelector('input[name=sel][value="2"]').checked = true;
            document.querySelector('form.runs').submit();
          }
          return false;
        })()
        """,
      name: "compare")
    #expect(visit.requests(outside: server.url).isEmpty, "\(visit.requests)")
    #expect(visit.console.isEmpty, "\(visit.console)")
    #expect((visit.object["url"] as? String ?? "").contains("/compare?sel=2&sel=1"))  // table order; the oldest is the baseline
    let charts = visit.object["charts"] as? [String: [[String: Any]]] ?? [:]
    let store = try SQLiteStore(path: fixture.database, readOnly: true)
    for key in Set(try store.metricKeys(of: 1) + store.metricKeys(of: 2)) {
      #expect(charts[key]?.count == 2, "chart \(key): \(charts[key] ?? [])")
    }
    // ΔR = R(run 2) - R(run 1), cell by cell.
    let base = try matrix(1, db: fixture.database)
    let other = try matrix(2, db: fixture.database)
    let delta = cells((visit.object["heatmaps"] as? [String: Any])?["delta-2"])
    #expect(delta.count == base.count * (base.first?.count ?? 0))
    for (i, row) in base.enumerated() {
      for (j, value) in row.enumerated() {
        #expect(abs((delta["\(i),\(j + 1)"] ?? .nan) - (other[i][j] - value)) < 1e-12)
      }
    }
    let tables = visit.object["tables"] as? [String: [[String]]] ?? [:]
    #expect(tables["params-diff"]?.contains(where: { $0.first == "strategy.type" && $0.last == "naive" }) == true)
    #expect(tables["summary-diff"]?.map { $0.first ?? "" } == ["acc", "bwt", "fwt", "forgetting"])
    if ProcessInfo.processInfo.environment["TRACK_UPDATE_SCREENSHOT"] == "1" {
      let target = MLflowPython.repository.appendingPathComponent("docs/images/compare.png")
      try? FileManager.default.removeItem(at: target)
      try FileManager.default.copyItem(at: visit.screenshot, to: target)
    }
  }

  @Test func aRunningRunsPageUpdatesByItself() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let db = folder.path("live.db")
    let script = try folder.write(
      "slow.sh", "#!/bin/sh\nfor i in $(seq 1 40); do echo \"tick=$i\"; sleep 0.25; done\n")
    chmod(script, 0o755)
    let exec = try CommandRunner.start(
      track, ["exec", "--db", db, "--name", "live", "--", script],
      stdout: URL(fileURLWithPath: folder.path("exec.out")),
      stderr: URL(fileURLWithPath: folder.path("exec.err")))
    defer {
      if exec.isRunning { exec.terminate() }
      exec.waitUntilExit()
    }
    // The run exists (and has a point) before the page is opened.
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      if let store = try? SQLiteStore(path: db, readOnly: true),
        let run = try? store.resolveRun("live"), (try? store.metricSeries(of: run.id, key: "tick").count) ?? 0 > 0
      { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    let server = try ServerProcess(database: db)
    defer { server.stop() }
    let visit = try Browser.visit(
      server.url + "/runs/1",
      eval: "({live: document.body.hasAttribute('data-live'), first: window.__first, now: +document.querySelector('[data-chart=tick] path').dataset.total, beat: document.querySelector('.heartbeat').textContent})",
      waitFor: """
        (function () {
          const p = document.querySelector('[data-chart=tick] path');
          if (!p) return false;
          if (window.__first === undefined) window.__first = +p.dataset.total;
          return +p.dataset.total > window.__first;
        })()
        """,
      name: "run-live")
    expectClean(visit, origin: server.url)
    #expect(visit.object["live"] as? Bool == true)
    #expect((visit.object["now"] as? Int ?? 0) > (visit.object["first"] as? Int ?? Int.max))
    #expect((visit.object["beat"] as? String ?? "").hasPrefix("Live"))
  }

  @Test func aReportIsOneSelfContainedFile() throws {
    let fixture = try fixture()
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let file = folder.path("report.html")
    let result = try CommandRunner.run(
      track, ["report", "1", "2", "3", "--db", fixture.database, "-o", file])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("Wrote 3 runs"))
    let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? .max
    #expect(size < 1_000_000)
    let url = URL(fileURLWithPath: file).absoluteString
    let visit = try Browser.visit(
      url, eval: "({charts: \(Browser.chartsScript), heatmaps: \(Browser.heatmapsScript), scripts: document.scripts.length, links: document.querySelectorAll('a[href]').length})",
      name: "report")
    #expect(visit.requests == [url], "a report asked for more than itself: \(visit.requests)")
    #expect(visit.console.isEmpty, "\(visit.console)")
    #expect(visit.object["scripts"] as? Int == 0)
    #expect(visit.object["links"] as? Int == 0)
    let charts = visit.object["charts"] as? [String: [[String: Any]]] ?? [:]
    #expect(charts["loss"]?.count == 1)  // only run 3 logged loss
    #expect(charts["train_loss"]?.count == 2)
    #expect((visit.object["heatmaps"] as? [String: Any])?["delta-2"] != nil)

    // One run: its page.
    let single = try CommandRunner.run(track, ["report", "latest~2", "--db", fixture.database, "-o", "-"])
    #expect(single.status == 0)
    #expect(single.stdout.contains("Run 1 · synthetic-smoke"))
    // Bad input: clear errors, nothing written.
    let missing = try CommandRunner.run(track, ["report", "99", "--db", fixture.database, "-o", folder.path("x.html")])
    #expect(missing.status == 3)
    #expect(!FileManager.default.fileExists(atPath: folder.path("x.html")))
    let noFolder = try CommandRunner.run(track, ["report", "1", "--db", fixture.database, "-o", "/nonexistent/dir/r.html"])
    #expect(noFolder.status == 2)
    #expect(noFolder.stderr.contains("/nonexistent/dir"))
    let none = try CommandRunner.run(track, ["report", "--db", fixture.database])
    #expect(none.status == 2)
    let intoFolder = try CommandRunner.run(track, ["report", "1", "--db", fixture.database, "-o", folder.url.path])
    #expect(intoFolder.status == 2)
    #expect(intoFolder.stderr.contains("is a folder"), "\(intoFolder.stderr)")
  }

  @Test func pagesNeedTheSameAuthAsTheAPIAndAnswerErrorsAsPages() throws {
    let fixture = try fixture()
    let token = "web-ui-test-token-0123456789abcdef"
    let server = try ServerProcess(database: fixture.database, extra: ["--token", token])
    defer { server.stop() }
    let anonymous = try HTTP.send("GET", server.url + "/runs/1")
    #expect(anonymous.status == 401)
    #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic") == true)
    let basic = "Basic " + Data("me:\(token)".utf8).base64EncodedString()
    let page = try HTTP.send("GET", server.url + "/runs/1", headers: ["Authorization": basic])
    #expect(page.status == 200)
    #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
    #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
    let missing = try HTTP.send("GET", server.url + "/runs/99", headers: ["Authorization": basic])
    #expect(missing.status == 404)
    #expect(missing.text.contains("data-error"))
    let notANumber = try HTTP.send("GET", server.url + "/runs/abc", headers: ["Authorization": basic])
    #expect(notANumber.status == 404)
    let one = try HTTP.send("GET", server.url + "/compare?run=1", headers: ["Authorization": basic])
    #expect(one.status == 400)
    #expect(one.text.contains("at least two runs"))
    let post = try HTTP.send("POST", server.url + "/", body: Data(), headers: ["Authorization": basic])
    #expect(post.status == 405)
    let script = try HTTP.send("GET", server.url + "/static/track.js", headers: ["Authorization": basic])
    #expect(script.status == 200)
    #expect(script.headers["content-type"]?.hasPrefix("text/javascript") == true)
  }
}

/// The store the browser tests look at.
struct WebFixture: Sendable {
  let folder: TemporaryFolder
  let database: String

  init() throws {
    folder = try TemporaryFolder(prefix: "track-web")
    database = folder.path("track.db")
    let track = CommandRunner.product("track")
    let spec = MLflowPython.repository.appendingPathComponent("Examples/synthetic-smoke.yaml").path
    for arguments in [
      ["run", spec], ["run", spec, "--set", "strategy.type=naive", "--name", "plain"],
    ] {
      let result = try CommandRunner.run(track, arguments + ["--db", database])
      guard result.status == 0 else { throw ServerTestError("track \(arguments): \(result.stderr)") }
    }
    let script = try folder.write(
      "curve.sh",
      """
      #!/bin/sh
      awk 'BEGIN { for (i = 0; i < 5000; i++) printf "loss=%.6f\\n", (i == 2500 ? 6 : 1 / (1 + i / 100)) }'
      curl -s -f -X PUT --data-binary 'hello from exec' \
        -H "Authorization: Bearer $MLFLOW_TRACKING_TOKEN" \
        "$MLFLOW_TRACKING_URI/api/2.0/mlflow-artifacts/artifacts/$MLFLOW_EXPERIMENT_ID/$MLFLOW_RUN_ID/artifacts/notes/hello.txt" >/dev/null
      """)
    chmod(script, 0o755)
    let result = try CommandRunner.run(track, ["exec", "--db", database, "--name", "curve", "--", script])
    guard result.status == 0 else { throw ServerTestError("track exec: \(result.stderr)") }
  }
}
