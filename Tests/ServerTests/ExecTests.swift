import Foundation
import TestSupport
import Testing
import Tracking
import TrackingSQLite

/// `track exec`: any program as a tracked run.
@Suite(.serialized) struct ExecTests {
  let track = CommandRunner.product("track")

  @Test func aShellScriptsPrintedScalarsBecomeMetrics() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let script = folder.path("train.sh")
    try """
      #!/bin/sh
      for i in 1 2 3; do echo "epoch $i: loss=0.$((10 - i)) acc: 0.$((5 + i)), lr=1e-3"; done
      echo "step=100 loss=0.5"
      echo "no numbers here: x=abc"
      printf 'last=7'
      """.write(toFile: script, atomically: true, encoding: .utf8)
    chmod(script, 0o755)
    let db = folder.path("t.db")
    let result = try CommandRunner.run(track, ["exec", "--db", db, "--name", "sh", "--experiment", "shell", "--", script])
    #expect(result.status == 0, "\(result.stderr)")
    // Output passes through unchanged.
    #expect(result.stdout.hasPrefix("epoch 1: loss=0.9 acc: 0.6, lr=1e-3\n"))
    #expect(result.stdout.hasSuffix("last=7"))
    let store = try SQLiteStore(path: db, readOnly: true)
    let run = try store.resolveRun("sh")
    #expect(run.status == .finished)
    #expect(run.experiment == "shell")
    let loss = try store.metricSeries(of: run.id, key: "loss")
    #expect(loss.map(\.step) == [0, 1, 2, 100])
    #expect(loss.map(\.value) == [0.9, 0.8, 0.7, 0.5])
    #expect(try store.metricSeries(of: run.id, key: "acc").map(\.value) == [0.6, 0.7, 0.8])
    #expect(try store.metricSeries(of: run.id, key: "lr").first?.value == 0.001)
    #expect(try store.metricSeries(of: run.id, key: "last").map(\.value) == [7])
    #expect(try !store.metricKeys(of: run.id).contains("x"))
    #expect(try store.tags(of: run.id)["exec.exit_status"] == "0")
    #expect(run.command?.contains("train.sh") == true)
  }

  @Test(.enabled(if: MLflowPython.isAvailable)) func aPythonScriptsMLflowCallsLogIntoTheRun()
    throws
  {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let db = folder.path("t.db")
    let python = try #require(MLflowPython.executable)
    let script = MLflowPython.repository.appendingPathComponent("Tests/ServerTests/Python/exec_mlflow.py").path
    let result = try CommandRunner.run(track, ["exec", "--db", db, "--name", "py", "--", python.path, script])
    #expect(result.status == 0, "\(result.stderr)")
    let store = try SQLiteStore(path: db, readOnly: true)
    #expect(try store.runs().count == 1)
    let run = try store.resolveRun("py")
    #expect(run.status == .finished)
    #expect(try store.params(of: run.id).map(\.key) == ["batch_size"])
    #expect(try store.metricSeries(of: run.id, key: "val_loss").map(\.value) == [1.0, 0.75, 0.5])
    #expect(try store.metricSeries(of: run.id, key: "train_loss").map(\.step) == [0, 1, 2])
  }

  @Test func aFailingCommandFailsTheRunAndKeepsItsStatus() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let db = folder.path("t.db")
    let result = try CommandRunner.run(track, ["exec", "--db", db, "--", "sh", "-c", "echo loss=1; exit 3"])
    #expect(result.status == 3)
    let store = try SQLiteStore(path: db, readOnly: true)
    let run = try store.resolveRun("latest")
    #expect(run.status == .failed)
    #expect(try store.tags(of: run.id)["exec.exit_status"] == "3")
    #expect(try store.metricSeries(of: run.id, key: "loss").count == 1)

    let missing = try CommandRunner.run(track, ["exec", "--db", db, "--", "no-such-program-xyz"])
    #expect(missing.status == 127)
    #expect(try store.resolveRun("latest").status == .failed)
    let empty = try CommandRunner.run(track, ["exec", "--db", db])
    #expect(empty.status == 2)
    #expect(empty.stderr.contains("after --"))
  }

  @Test func anInterruptedCommandIsKilledAndItsPointsKept() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let db = folder.path("t.db")
    let out = URL(fileURLWithPath: folder.path("out"))
    let process = try CommandRunner.start(
      track,
      ["exec", "--db", db, "--", "sh", "-c", "i=0; while true; do echo tick=$i; i=$((i+1)); sleep 0.05; done"],
      stdout: out, stderr: URL(fileURLWithPath: folder.path("err")))
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, ((try? String(contentsOf: out, encoding: .utf8)) ?? "").components(separatedBy: "\n").count < 5 {
      Thread.sleep(forTimeInterval: 0.05)
    }
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    let printed = ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n")
      .filter { $0.hasPrefix("tick=") }.count
    let store = try SQLiteStore(path: db, readOnly: true)
    let run = try store.resolveRun("latest")
    #expect(run.status == .killed)
    // Every line the program printed before it stopped is a stored point.
    #expect(try store.metricSeries(of: run.id, key: "tick").count == printed)
    #expect(printed >= 4)
  }

  /// Output written just before the program exits is read to the end: with a
  /// `readabilityHandler` a chunk still in flight at exit was dropped or handed over out of
  /// order (2,436 of 3,000 points under load). Four programs, two at a time, each writing a line per `write` on both streams.
  @Test func everyLineWrittenUpToTheExitIsRecordedInOrder() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let script = try folder.write(
      "lines.sh",
      """
      #!/bin/sh
      i=0
      while [ $i -lt 3000 ]; do echo "loss=$i"; echo "err=$i" >&2; i=$((i+1)); done
      """)
    chmod(script, 0o755)
    for round in 0..<2 {
      let databases = (0..<2).map { folder.path("t\(round)-\($0).db") }
      let processes = try databases.enumerated().map { index, db in
        try CommandRunner.start(
          track, ["exec", "--db", db, "--", script],
          stdout: URL(fileURLWithPath: folder.path("out\(round)-\(index)")),
          stderr: URL(fileURLWithPath: folder.path("err\(round)-\(index)")))
      }
      for process in processes { process.waitUntilExit() }
      for (process, db) in zip(processes, databases) {
        #expect(process.terminationStatus == 0)
        let store = try SQLiteStore(path: db, readOnly: true)
        let run = try store.resolveRun("latest")
        for key in ["loss", "err"] {
          let series = try store.metricSeries(of: run.id, key: key)
          #expect(series.count == 3000, "\(key): \(series.count) of 3000 points")
          let misplaced = series.indices.first { series[$0].value != Double($0) }
          #expect(misplaced == nil, "\(key): point \(misplaced ?? 0) is \(misplaced.map { series[$0].value } ?? 0)")
        }
      }
    }
  }
}

/// Examples/python/continual_pytorch.py: a PyTorch continual-learning loop logging params and
/// curves through mlflow and its matrix through clients/python, under `track exec`.
struct PythonExampleTests {
  static let hasTorch: Bool = {
    guard let python = MLflowPython.executable,
      let result = try? CommandRunner.run(python, ["-c", "import torch, mlflow"])
    else { return false }
    return result.status == 0
  }()

  @Test(.enabled(if: hasTorch)) func thePyTorchExampleRecordsItsMatrix() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let db = folder.path("t.db")
    let python = try #require(MLflowPython.executable)
    let example = MLflowPython.repository.appendingPathComponent(
      "Examples/python/continual_pytorch.py").path
    let result = try CommandRunner.run(
      CommandRunner.product("track"),
      ["exec", "--db", db, "--name", "torch", "--", python.path, example,
       "--train-per-task", "300", "--test-per-task", "100"])
    #expect(result.status == 0, "\(result.stderr)")
    let store = try SQLiteStore(path: db, readOnly: true)
    let run = try store.resolveRun("torch")
    #expect(run.status == .finished)
    #expect(try store.tasks(of: run.id).map(\.name) == ["0-1", "2-3", "4-5", "6-7", "8-9"])
    let matrix = try store.matrix(of: run.id)
    #expect(matrix.rows.keys.sorted() == [0, 1, 2, 3, 4, 5])
    let accuracy = try #require(matrix.accuracy)
    #expect(accuracy > 0 && accuracy <= 1)
    #expect(try store.params(of: run.id).contains { $0.key == "lr" })
    #expect(try store.metricSeries(of: run.id, key: "stream_accuracy").count == 5)
    let show = try CommandRunner.run(CommandRunner.product("track"), ["show", "torch", "--db", db])
    #expect(show.stdout.contains("Matrix R"))
    #expect(show.stdout.contains("forgetting"))
  }
}
