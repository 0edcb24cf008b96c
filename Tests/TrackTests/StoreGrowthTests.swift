import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// A run leaves no orphaned blobs behind, and `training.checkpoints` chooses what it keeps
/// (issue 11: an 8 s replay run made a 47 MB file of 7,166 orphaned samples; a 5-task run
/// kept every task's checkpoints with no way to choose).
@Suite(.serialized) struct StoreGrowthTests {
  @Test func replacedSamplesGoWithTheirLastReference() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    // Replay with a memory smaller than the data: samples are replaced as tasks go by.
    let run = try track("run", "Examples/synthetic-smoke.yaml", "--plain", "--set", "strategy.memory_size=10")
    #expect(run.status == 0, "\(run.stderr)")
    let gc = try track("gc", "--format", "json")
    #expect(gc.status == 0, "\(gc.stderr)")
    #expect(gc.stdout.contains("\"blobs_removed\": 0"), "\(gc.stdout)")
    let store = try SQLiteStore(path: track.database, readOnly: true)
    let unreferenced = try store.query(
      """
      SELECT count(*) FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM checkpoints)
        AND sha256 NOT IN (SELECT features_sha256 FROM knowledge)
      """)
    #expect(unreferenced.rows == [[.integer(0)]])
  }

  @Test func theCheckpointPolicyChoosesWhatARunKeeps() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    for policy in ["last", "every_task", "none"] {
      let run = try track(
        "run", "Examples/synthetic-smoke.yaml", "--plain", "--name", "keep-\(policy)",
        "--set", "training.checkpoints=\(policy)")
      #expect(run.status == 0, "\(run.stderr)")
    }
    let store = try SQLiteStore(path: track.database, readOnly: true)
    func tasks(_ name: String) throws -> [Int] {
      try store.checkpoints(of: try store.resolveRun(name).id).map(\.task)
    }
    #expect(try tasks("keep-last") == [3, 3])
    #expect(try tasks("keep-every_task") == [1, 1, 2, 2, 3, 3])
    #expect(try tasks("keep-none").isEmpty)
    #expect(try track("run", "Examples/synthetic-smoke.yaml", "--from", "keep-last").status == 0)
    let none = try track("run", "Examples/synthetic-smoke.yaml", "--from", "keep-none")
    #expect(none.status == 2)
    #expect(none.stderr.contains("saved no weights checkpoint"), "\(none.stderr)")
    let bad = try track("run", "Examples/synthetic-smoke.yaml", "--set", "training.checkpoints=some")
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("training.checkpoints"), "\(bad.stderr)")
  }
}
