import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `kill -9` of `track run` at random moments: the file stays sound, every epoch the progress
/// output reported is in it, every recorded task has its weights, the run reads `crashed`,
/// and `--from` continues from a complete state (docs/cli.md, "What a killed run keeps").
@Suite(.serialized) struct CrashTests {
  /// Kills per run of the suite (`TRACK_CRASH_REPETITIONS` raises it).
  static let repetitions =
    Int(ProcessInfo.processInfo.environment["TRACK_CRASH_REPETITIONS"] ?? "") ?? 10
  /// About a second of training in a debug build: 3 tasks × 20 epochs.
  static let overrides = [
    "--set", "training.epochs=20", "--set", "data.samples_per_class=400",
    "--set", "model.hidden=[32]", "--set", "training.batch_size=8",
  ]

  @Test func killedRunsKeepWhatTheyReportedAndContinueFromACompleteTask() throws {
    var random = SeededRandom(seed: 20261201)
    var resumed = 0
    // How long a whole run takes on this machine now (a loaded CI machine is slower): kills
    // fall anywhere from 5 % to 100 % of it.
    let calibration = try TrackBinary()
    defer { calibration.remove() }
    let started = Date()
    let whole = try calibration.run(
      ["run", "Examples/synthetic-smoke.yaml", "--plain"] + Self.overrides)
    #expect(whole.status == 0, "\(whole.stderr)")
    let duration = Date().timeIntervalSince(started)
    for repetition in 0..<Self.repetitions {
      let track = try TrackBinary()
      defer { track.remove() }
      let delay = duration * (0.05 + Double(random.next() % 1000) / 1000 * 0.95)
      let claimed = try killRun(track, after: delay)
      let context = "repetition \(repetition), killed after \(delay) s"

      let store = try SQLiteStore(path: track.database)
      let report = try store.check()
      #expect(report.isOK, "\(context): \(report.problems)")
      guard let run = try store.runs().first else {
        #expect(claimed.isEmpty, "\(context): epochs reported but no run recorded")
        continue
      }
      // Every epoch the progress output called done has its metrics.
      let stored = Set(
        try store.metricSeries(of: run.id, key: "train_loss").map {
          Epoch(task: $0.task ?? 0, epoch: $0.epoch ?? 0)
        })
      #expect(claimed.isSubset(of: stored), "\(context): reported \(claimed.subtracting(stored))")
      // The newest recorded task has the weights and optimizer state it was measured with
      // (`training.checkpoints: last` keeps only those).
      let rows = try store.matrix(of: run.id).rows.keys.filter { $0 >= 1 }
      let checkpoints = try store.checkpoints(of: run.id)
      if let newest = rows.max() {
        #expect(checkpoints.contains { $0.task == newest && $0.kind == "weights" }, "\(context)")
        #expect(checkpoints.contains { $0.task == newest && $0.kind == "optimizer" }, "\(context)")
        #expect(checkpoints.allSatisfy { $0.task == newest }, "\(context): only the last task's")
      }
      // Once its heartbeat is stale, the killed run reads as crashed.
      if try store.run(run.id).status == .running {
        try store.setStaleHeartbeat(10)
        try store.appendMetrics([], to: run.id, heartbeat: Date().addingTimeInterval(-11))
        #expect(try store.run(run.id).status == .crashed, "\(context)")
      }
      // --from continues from the last complete task and finishes the stream.
      guard !rows.isEmpty else { continue }
      let continued = try track.run(
        ["run", "Examples/synthetic-smoke.yaml", "--from", String(run.id), "--plain"]
          + Self.overrides)
      #expect(continued.status == 0, "\(context): \(continued.stderr)")
      let next = try store.runs().first { $0.continuedFrom == run.id }
      #expect(next?.status == .finished, "\(context)")
      if let next {
        #expect(try store.matrix(of: next.id).rows.keys.sorted() == [0, 1, 2, 3], "\(context)")
      }
      resumed += 1
    }
    #expect(Self.repetitions < 5 || resumed > 0, "no kill came after a completed task")
  }

  /// Starts the run, kills it with SIGKILL after `delay` seconds, and returns the epochs its
  /// progress lines reported as done.
  func killRun(_ track: TrackBinary, after delay: Double) throws -> Set<Epoch> {
    let process = Process()
    process.executableURL = CommandRunner.product("track")
    process.arguments =
      ["run", "Examples/synthetic-smoke.yaml", "--plain", "--db", track.database] + Self.overrides
    process.currentDirectoryURL = TrackBinary.repository
    let errors = track.directory.url.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: errors)
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: delay)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let text = try String(contentsOf: errors, encoding: .utf8)
    // "task 2/3 epoch 5/20 loss 0.1234 elapsed 0.4s"
    var epochs = Set<Epoch>()
    for line in text.split(separator: "\n") where line.hasPrefix("task ") {
      let words = line.split(separator: " ")
      guard words.count >= 4, words[2] == "epoch",
        let task = Int(words[1].split(separator: "/")[0]),
        let epoch = Int(words[3].split(separator: "/")[0])
      else { continue }
      epochs.insert(Epoch(task: task, epoch: epoch))
    }
    return epochs
  }

  struct Epoch: Hashable, CustomStringConvertible {
    var task: Int
    var epoch: Int
    var description: String { "task \(task) epoch \(epoch)" }
  }
}
