import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `track sweep`: one run per combination × seed, tagged, skipped when run again, stopped
/// cleanly by Ctrl-C; and DER++'s stored logits surviving `--from` in a real store.
@Suite(.serialized) struct SweepTests {
  @Test func runsEveryCombinationAndSeedOnceAndSkipsThemWhenRunAgain() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let first = try track(
      "sweep", "Examples/synthetic-smoke.yaml", "--grid", "strategy.memory_size=[10,30]",
      "--seeds", "2", "--jobs", "2", "--name", "mem", "--set", "training.epochs=1", "--plain")
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stderr.contains("4 runs (2 combinations × 2 seeds), 2 at a time"))
    let store = try SQLiteStore(path: track.database, readOnly: true)
    let runs = try store.runs(where: nil, sort: [], limit: nil)
    #expect(
      Set(runs.map(\.name)) == [
        "mem memory_size=10 seed=7", "mem memory_size=10 seed=8", "mem memory_size=30 seed=7",
        "mem memory_size=30 seed=8",
      ])
    #expect(runs.allSatisfy { $0.status == .finished && $0.experiment == "smoke" })
    for run in runs {
      #expect(try store.tags(of: run.id)["sweep"] == "mem")
      let seed = run.name.hasSuffix("seed=7") ? 7.0 : 8.0
      #expect(run.params["seed"]?.number == seed)
      #expect(run.params["training.epochs"]?.number == 1)
    }
    let again = try track(
      "sweep", "Examples/synthetic-smoke.yaml", "--grid", "strategy.memory_size=[10,30,50]",
      "--seeds", "2", "--name", "mem", "--set", "training.epochs=1", "--plain")
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("skipping 4 runs already finished"), "\(again.stderr)")
    #expect(try store.runs(where: nil, sort: [], limit: nil).count == 6)
    let grouped = try track(
      "runs", "--where", "tag.sweep = mem", "--group-by", "strategy.memory_size", "--format",
      "csv")
    #expect(grouped.status == 0, "\(grouped.stderr)")
    let lines = grouped.stdout.split(separator: "\n")
    #expect(lines.first == "strategy.memory_size,n,acc_mean,acc_sd,bwt_mean,bwt_sd,fwt_mean,fwt_sd,forgetting_mean,forgetting_sd")
    #expect(lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
      == ["10,2", "30,2", "50,2"])
  }

  @Test func aBadGridIsRefusedBeforeAnyRun() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let typo = try track(
      "sweep", "Examples/synthetic-smoke.yaml", "--grid", "strategy.memory_sise=[10,30]")
    #expect(typo.status == 2, "\(typo.stderr)")
    #expect(typo.stderr.contains("memory_sise"), "\(typo.stderr)")
    let malformed = try track("sweep", "Examples/synthetic-smoke.yaml", "--grid", "optimizer.lr=[0.1")
    #expect(malformed.status == 2, "\(malformed.stderr)")
    #expect(malformed.stderr.contains("closing ]"), "\(malformed.stderr)")
    let seeds = try track("sweep", "Examples/synthetic-smoke.yaml", "--seeds", "0")
    #expect(seeds.status == 2, "\(seeds.stderr)")
    #expect(!FileManager.default.fileExists(atPath: track.database))
  }

  /// Ctrl-C (SIGINT to the sweep) stops the running runs after their batch (killed, not
  /// left running), starts no more, exits 130; the same command then completes the sweep.
  @Test func interruptStopsEveryRunCleanly() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let process = Process()
    process.executableURL = CommandRunner.product("track")
    process.currentDirectoryURL = TrackBinary.repository
    let arguments = [
      "sweep", "Examples/synthetic-smoke.yaml", "--grid", "optimizer.lr=[0.1,0.05,0.02]",
      "--name", "stop", "--set", "training.epochs=2000", "--jobs", "2", "--plain", "--db",
      track.database,
    ]
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Until both runs are training.
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      Thread.sleep(forTimeInterval: 0.3)
      if let store = try? SQLiteStore(path: track.database, readOnly: true),
        let count = try? store.runs(where: nil, sort: [], limit: nil).count, count == 2
      {
        break
      }
    }
    Thread.sleep(forTimeInterval: 0.5)
    process.interrupt()
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    let store = try SQLiteStore(path: track.database, readOnly: true)
    let runs = try store.runs(where: nil, sort: [], limit: nil)
    #expect(runs.count == 2)
    #expect(runs.allSatisfy { $0.status == .killed }, "\(runs.map(\.status))")
  }

  /// DER++'s logits are in the store (`knowledge.logits`) and a run continued with `--from`
  /// starts from them: the samples it carries over keep the logits they were stored with.
  @Test func derppLogitsAreStoredAndContinuedWithFrom() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let first = try track(
      "run", "Examples/synthetic-smoke.yaml", "--plain", "--set", "strategy.type=derpp",
      "--set", "scenario.tasks=2")
    #expect(first.status == 0, "\(first.stderr)")
    let continued = try track(
      "run", "Examples/synthetic-smoke.yaml", "--plain", "--set", "strategy.type=derpp",
      "--from", "1")
    #expect(continued.status == 0, "\(continued.stderr)")
    let store = try SQLiteStore(path: track.database, readOnly: true)
    let earlier = try store.knowledgeBase(of: 1)
    let later = try store.knowledgeBase(of: 2)
    #expect(earlier.count == 30 && later.count == 30)
    #expect((earlier + later).allSatisfy { $0.logits?.count == 6 * 4 })
    let carried = later.filter { $0.sourceRun == 1 }
    #expect(!carried.isEmpty)
    for entry in carried {
      let original = earlier.first { $0.features == entry.features && $0.addedAt == entry.addedAt }
      #expect(original?.logits == entry.logits)
    }
  }
}
