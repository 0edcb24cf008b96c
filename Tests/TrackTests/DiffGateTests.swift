import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

/// `track diff --fail-if` from the binary: values against deltas, and values not measured.
@Suite(.serialized) struct DiffGateTests {
  /// "base" (ACC 0.5, forgetting measured) and "later" (ACC 0.85; its forgetting is not
  /// measured: the only earlier score of task 1 is NaN, as in a run continued with --from).
  func fixture() throws -> TrackBinary {
    let track = try TrackBinary()
    let store = try SQLiteStore(path: track.database)
    for (name, rows) in [
      ("base", [[0.1, 0.1], [0.9, 0.2], [0.4, 0.6]]),
      ("later", [[0.1, 0.1], [.nan, 0.2], [0.8, 0.9]]),
    ] {
      let logger = try store.startRun(name: name, experiment: nil, params: [:])
      for (index, row) in rows.enumerated() {
        try logger.recordMatrixRow(trainedThrough: index, scores: row, metric: "accuracy")
      }
      try logger.finish(.finished)
    }
    return track
  }

  @Test func aValueNotMeasuredFailsTheGate() throws {
    let track = try fixture()
    defer { track.remove() }
    for condition in ["forgetting > 0", "delta(forgetting) > 0", "delta(forgetting) < -50%"] {
      let result = try track("diff", "base", "later", "--fail-if", condition, "--format", "json")
      #expect(result.status == 1, "\(condition): \(result.stderr)")
      #expect(
        result.stderr.contains(
          "--fail-if '\(condition)' violated by run #2 later: forgetting was not measured"),
        "\(result.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
      let gate = ((object as? [String: Any])?["fail_if"] as? [[String: Any]])?.first
      #expect(gate?["measured"] is NSNull)
      #expect(gate?["violated"] as? Bool == true)
    }
  }

  @Test func aBareKeyComparesTheValueAndDeltaTheChange() throws {
    let track = try fixture()
    defer { track.remove() }
    // ACC of "later" is 0.85, its change +0.35: 'acc < 0.7' reads as the value.
    #expect(try track("diff", "base", "later", "--fail-if", "acc < 0.7").status == 0)
    let value = try track("diff", "base", "later", "--fail-if", "acc < 0.9")
    #expect(value.status == 1)
    #expect(value.stderr.contains("acc is 0.8500"), "\(value.stderr)")
    let delta = try track("diff", "base", "later", "--fail-if", "delta(acc) < 0.7")
    #expect(delta.status == 1)
    #expect(delta.stderr.contains("acc change +0.3500"), "\(delta.stderr)")
    let json = try track(
      "diff", "base", "later", "--fail-if", "delta(acc) > 50%", "--format", "json")
    #expect(json.stdout.contains("\"compares\": \"relative_delta\""), "\(json.stdout)")
  }

  @Test func anOldStyleGateIsAUsageErrorOrANote() throws {
    let track = try fixture()
    defer { track.remove() }
    let percent = try track("diff", "base", "later", "--fail-if", "acc < -5%")
    #expect(percent.status == 2)
    #expect(percent.stderr.contains("write 'delta(acc) < -5%'"), "\(percent.stderr)")
    // A bare gate that can never hold on a value that is never negative: said on stderr.
    let old = try track("diff", "base", "later", "--fail-if", "acc < -0.01")
    #expect(old.status == 0)
    #expect(old.stderr.contains("write 'delta(acc) < -0.01'"), "\(old.stderr)")
  }
}
