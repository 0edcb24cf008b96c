import Foundation
import Testing
import TestSupport

/// The real `track` binary on a real database file: a tiny real run on synthetic data, then
/// every reading command on it.
@Suite(.serialized) struct EndToEndTests {
  /// A small synthetic spec (runs in seconds in a debug build).
  static let spec = """
    name: smoke
    experiment: e2e
    seed: 3
    data:
      source: synthetic
      classes: 6
      features: 8
      samples_per_class: 24
    scenario:
      type: class-incremental
      tasks: 2
      classes_per_task: 2
    model:
      hidden: [8]
    optimizer:
      lr: 0.1
    training:
      epochs: 2
      batch_size: 8
    strategy:
      type: replay
      memory_size: 16
    """

  func json(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
  }

  @Test func runListShowDiffExportAndCleanUp() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let specPath = try track.directory.write("spec.yaml", EndToEndTests.spec)

    #expect(try track("init").status == 0)
    let first = try track("run", specPath)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("ACC"))
    #expect(first.stderr.contains("task 2/2 epoch 2/2"))  // plain progress lines in a pipe

    let second = try track("run", specPath, "--set", "strategy.type=naive", "--name", "plain")
    #expect(second.status == 0, "\(second.stderr)")

    let runs = try json(try track("runs", "--format", "json").stdout) as? [[String: Any]]
    #expect(runs?.count == 2)
    #expect(runs?.allSatisfy { $0["status"] as? String == "finished" } == true)
    let summary = runs?.first?["summary"] as? [String: Any]
    #expect(summary?["acc"] is Double)

    let show = try track("show", "smoke")
    #expect(show.status == 0)
    #expect(show.stdout.contains("Matrix R[i][j]"))
    #expect(show.stdout.contains("strategy.type"))
    let shown = try json(try track("show", "latest", "--format", "json").stdout) as? [String: Any]
    #expect(shown?["name"] as? String == "plain")
    #expect((shown?["checkpoints"] as? [Any])?.isEmpty == false)

    let diff = try track("diff", "smoke", "plain")
    #expect(diff.status == 0)
    #expect(diff.stdout.contains("strategy.type"))
    let gate = try track("diff", "smoke", "plain", "--fail-if", "delta(acc) > -100")
    #expect(gate.status == 1)
    #expect(gate.stderr.contains("--fail-if 'delta(acc) > -100' violated by run #2 plain"))
    #expect(try track("diff", "smoke", "plain", "--fail-if", "delta(acc) < -100").status == 0)

    #expect(try track("metrics", "smoke").stdout.contains("train_loss"))
    let matrix = try json(try track("matrix", "latest~1", "--format", "json").stdout)
    #expect((matrix as? [String: Any])?["task_count"] as? Int == 2)
    let export = try track("export", "1", "--format", "csv")
    #expect(export.stdout.hasPrefix("key,step,epoch,task,value\n"))

    let query = try track("query", "SELECT count(*) AS n FROM runs", "--format", "csv")
    #expect(query.stdout == "n\n2\n")

    // Continue on a longer stream: the earlier rows lack the new task (not measured).
    let resumed = try track(
      "run", specPath, "--from", "smoke", "--name", "continued", "--set", "scenario.tasks=3")
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let continued = try json(try track("show", "continued", "--format", "json").stdout)
    #expect((continued as? [String: Any])?["continued_from"] as? Int == 1)
    #expect((continued as? [String: Any])?["status"] as? String == "finished")
    let grid = try track("matrix", "continued")
    #expect(grid.stdout.contains("—"))
    let continuedMatrix = (continued as? [String: Any])?["matrix"] as? [String: Any]
    #expect(continuedMatrix?["task_count"] as? Int == 3)
    // The continued run holds the replay memory once (at most memory_size samples).
    let memory = (continued as? [String: Any])?["knowledge_base_size"] as? Int ?? -1
    #expect(memory > 0 && memory <= 16)
    // Continuing on the same stream trains nothing, and says so instead of passing silently.
    let again = try track(
      "run", specPath, "--from", "continued", "--name", "again", "--set", "scenario.tasks=3")
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("already trained all 3 tasks of this stream"))
    #expect(!resumed.stderr.contains("nothing new was trained"))
    // "again" saved no checkpoint of its own (it trained nothing); continuing from it uses
    // the weights it ended with, its parent's.
    let chained = try track(
      "run", specPath, "--from", "again", "--name", "chained", "--set", "scenario.tasks=3")
    #expect(chained.status == 0, "\(chained.stderr)")
    // Another model cannot take the earlier weights: a usage error naming both shapes (on a
    // longer stream: with nothing new to train, a different spec is refused before it runs).
    let reshaped = try track(
      "run", specPath, "--from", "smoke", "--name", "reshaped", "--set", "model.hidden=[5]",
      "--set", "scenario.tasks=3")
    #expect(reshaped.status == 2, "\(reshaped.stderr)")
    #expect(reshaped.stderr.contains("cannot continue from the earlier run"))
    #expect(reshaped.stderr.contains("[8, 8, 6]") && reshaped.stderr.contains("[8, 5, 6]"))
    let refused = try json(try track("show", "reshaped", "--format", "json").stdout)
    #expect((refused as? [String: Any])?["status"] as? String == "failed")
    #expect(try track("rm", "reshaped", "--yes").status == 0)

    // -o FILE.csv writes CSV without --format; a missing folder is a clear error.
    let points = track.directory.path("points.csv")
    #expect(try track("export", "1", "-o", points).status == 0)
    let written = try String(contentsOfFile: points, encoding: .utf8)
    #expect(written.hasPrefix("key,step,epoch,task,value\n"))
    let nowhere = try track("export", "1", "-o", track.directory.path("no/such/dir/x.json"))
    #expect(nowhere.status == 2)
    #expect(nowhere.stderr.contains("no/such/dir' does not exist"))

    #expect(try track("rm", "plain", "--yes").status == 0)
    #expect(try track("show", "plain").status == 3)
    #expect(try track("gc").status == 0)
    let check = try track("check")
    #expect(check.status == 0)
    #expect(check.stdout.contains("OK"))
  }

  @Test func twoThreadsRepeatTheSameMatrix() throws {
    // Large enough that the narrow first layer (8 inputs) and the 256-wide products are
    // shared between 2 threads; the same spec, seed and thread count must give the same
    // matrix to the last digit.
    let track = try TrackBinary()
    defer { track.remove() }
    let specPath = try track.directory.write("spec.yaml", EndToEndTests.spec)
    let settings = [
      "--set", "training.threads=2", "--set", "training.batch_size=256",
      "--set", "data.samples_per_class=300", "--set", "model.hidden=[256]",
      "--set", "training.epochs=1",
    ]
    var matrices: [String] = []
    for name in ["first", "second"] {
      let result = try track.run(["run", specPath, "--name", name] + settings)
      #expect(result.status == 0, "\(result.stderr)")
      matrices.append(try track("matrix", name, "--format", "json").stdout)
    }
    #expect(matrices[0] == matrices[1])
    #expect(matrices[0].contains("\"task_count\""))
    let shown = try json(try track("show", "second", "--format", "json").stdout)
    let params = (shown as? [String: Any])?["params"] as? [String: Any]
    #expect("\(params?["training.threads"] ?? "")" == "2")
  }

  @Test func longStreamsPrintSummariesNotAWrappingGrid() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let long = EndToEndTests.spec.replacingOccurrences(of: "classes: 6", with: "classes: 26")
      .replacingOccurrences(of: "tasks: 2", with: "tasks: 13")
      .replacingOccurrences(of: "samples_per_class: 24", with: "samples_per_class: 8")
      .replacingOccurrences(of: "epochs: 2", with: "epochs: 1")
    let specPath = try track.directory.write("long.yaml", long)
    let result = try track("run", specPath)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("matrix of 13 tasks, too wide to print here: track matrix 1"))
    #expect(!result.stdout.contains("task 13"))
    #expect(result.stdout.contains("ACC "))
    #expect(try track("matrix", "1").stdout.contains("task 13"))
  }

  @Test func interruptMarksTheRunKilledAndKeepsWhatWasLogged() throws {
    try interrupt(signals: 1)
  }

  /// `timeout -s INT` and process managers signal the process and then its group, so two
  /// interrupts arrive at once: that is one Ctrl-C, and the run must still be marked killed.
  @Test func twoInterruptsAtOnceStillMarkTheRunKilled() throws {
    try interrupt(signals: 2)
  }

  /// Starts a slow run, sends `signals` SIGINTs back to back, checks it ended `killed`.
  func interrupt(signals: Int) throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let slow = EndToEndTests.spec.replacingOccurrences(of: "epochs: 2", with: "epochs: 400")
      .replacingOccurrences(of: "name: smoke", with: "name: slow")
    let specPath = try track.directory.write("slow.yaml", slow)
    let stderr = track.directory.url.appendingPathComponent("stderr")
    let process = try CommandRunner.start(
      CommandRunner.product("track"), ["run", specPath, "--db", track.database],
      directory: TrackBinary.repository, environment: ["NO_COLOR": "1"],
      stdout: track.directory.url.appendingPathComponent("stdout"), stderr: stderr)
    // Wait until training has logged a few epochs, then press Ctrl-C.
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      let text = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
      if text.contains("epoch 3/") { break }
      Thread.sleep(forTimeInterval: 0.05)
    }
    for _ in 0..<signals { kill(process.processIdentifier, SIGINT) }
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    let messages = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
    #expect(messages.contains("marked killed"), "\(messages)")
    let runs = try JSONSerialization.jsonObject(
      with: Data(try track("runs", "--format", "json").stdout.utf8)) as? [[String: Any]]
    #expect(runs?.first?["status"] as? String == "killed")
    let metrics = try track("metrics", "slow", "--format", "csv")
    #expect(metrics.stdout.contains("train_loss"))
  }
}
