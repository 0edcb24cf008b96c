import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `--from` on a run whose newest rows have no weights, and the note about nothing new.
@Suite(.serialized) struct ResumeTests {
  /// The repro: a kill between recording task 2's row and saving its checkpoints
  /// (possible before completion was one transaction) left rows through task 2, weights
  /// through task 1. `--from` must continue from task 1 and say so.
  @Test func continuesFromTheLastCompleteTaskAndSaysWhich() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    // Every task's checkpoints, as a run before `training.checkpoints` kept them.
    let first = try track(
      "run", "Examples/synthetic-smoke.yaml", "--plain", "--set", "training.checkpoints=every_task")
    #expect(first.status == 0, "\(first.stderr)")
    let sql = """
      DELETE FROM checkpoints WHERE run_id = 1 AND task >= 2;
      DELETE FROM matrix WHERE run_id = 1 AND trained_through = 3;
      UPDATE runs SET status = 'running', heartbeat_at = heartbeat_at - 120;
      """
    let edited = try CommandRunner.run(
      URL(fileURLWithPath: "/usr/bin/sqlite3"), [track.database], input: sql)
    #expect(edited.status == 0, "\(edited.stderr)")
    let continued = try track("run", "Examples/synthetic-smoke.yaml", "--from", "1", "--plain")
    #expect(continued.status == 0, "\(continued.stderr)")
    #expect(continued.stderr.contains("continuing from task 1, the last whose state is complete"))
    // Tasks 2 and 3 were trained again from task 1's weights, not just task 3.
    #expect(continued.stderr.contains("task 2/3 epoch 1/2"), "\(continued.stderr)")
    #expect(!continued.stderr.contains("nothing new was trained"))
    let store = try SQLiteStore(path: track.database, readOnly: true)
    #expect(try store.matrix(of: 2).rows.keys.sorted() == [0, 1, 2, 3])
    #expect(try store.checkpoints(of: 2).map(\.task) == [3, 3])  // `last` keeps task 3's
  }

  /// The note that nothing new was trained only when that is true (it was printed on every
  /// resume of a killed run that had recorded all its tasks).
  @Test func saysNothingNewOnlyWhenNothingNewWasTrained() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let first = try track(
      "run", "Examples/synthetic-smoke.yaml", "--plain", "--set", "training.checkpoints=every_task")
    #expect(first.status == 0, "\(first.stderr)")
    let again = try track("run", "Examples/synthetic-smoke.yaml", "--from", "1", "--plain")
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("already trained all 3 tasks"), "\(again.stderr)")
    // Killed after task 1 of 3: all 3 tasks recorded, only one trained.
    let sql = """
      DELETE FROM checkpoints WHERE run_id = 1 AND task >= 2;
      DELETE FROM matrix WHERE run_id = 1 AND trained_through >= 2;
      """
    _ = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/sqlite3"), [track.database], input: sql)
    let resumed = try track("run", "Examples/synthetic-smoke.yaml", "--from", "1", "--plain")
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(!resumed.stderr.contains("nothing new was trained"), "\(resumed.stderr)")
  }

  /// A naive spec `--from` a replay run on the same stream trained nothing and stored a run
  /// named naive with replay's matrix (issue 11, gap 6): refused before anything is recorded.
  @Test func aDifferentSpecThatWouldTrainNothingIsRefused() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    #expect(try track("run", "Examples/synthetic-smoke.yaml", "--plain").status == 0)
    let naive = try track(
      "run", "Examples/synthetic-smoke.yaml", "--from", "1", "--set", "strategy.type=naive")
    #expect(naive.status == 2, "\(naive.stderr)")
    #expect(naive.stderr.contains("strategy.type: replay -> naive"), "\(naive.stderr)")
    #expect(try track("runs", "--format", "csv").stdout.split(separator: "\n").count == 2)
    // How a run is kept (checkpoints, threads) is not a different spec.
    let kept = try track(
      "run", "Examples/synthetic-smoke.yaml", "--from", "1", "--set", "training.checkpoints=none",
      "--plain")
    #expect(kept.status == 0, "\(kept.stderr)")
    #expect(kept.stderr.contains("nothing new was trained"))
  }
}
