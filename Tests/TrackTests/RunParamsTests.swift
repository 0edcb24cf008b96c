import Foundation
import Testing
import TestSupport
import Tracking
import TrackingSQLite

import Experiments
import Learning

/// A list in the spec is one text param whatever its length (docs/schema.md, "params"): a
/// one-layer `model.hidden: [256]` used to be the number 256 and `[256, 256]` the text
/// "256,256", so one column held two types.
struct RunParamsTests {
  @Test func aListIsTextWhateverItsLength() throws {
    var spec = try SpecLoader.load(
      path: TrackBinary.repository.appendingPathComponent("Examples/synthetic-smoke.yaml").path)
    spec.model.hidden = [256]
    #expect(spec.runParams["model.hidden"] == .text("256"))
    spec.model.hidden = [256, 256]
    #expect(spec.runParams["model.hidden"] == .text("256,256"))
    spec.scenario.classOrder = [3]
    #expect(spec.runParams["scenario.class_order"] == .text("3"))
    #expect(spec.runParams["optimizer.lr"] == .number(0.1))
    #expect(spec.runParams["seed"] == .number(7))
  }

  /// What `track run` records for the smoke spec's one layer of 16, and how a filter finds it.
  @Test func trackRunRecordsOneLayerAsText() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    let run = try track(
      "run", "Examples/synthetic-smoke.yaml", "--plain", "--set", "training.epochs=1")
    try #require(run.status == 0, "\(run.stderr)")
    let store = try SQLiteStore(path: track.database)
    let stored = try store.query(
      """
      SELECT p.value, p.number, typeof(json_extract(o.params, '$."model.hidden"'))
      FROM params p JOIN run_overview o ON o.id = p.run_id WHERE p.key = 'model.hidden'
      """
    ).rows
    #expect(stored == [[.text("16"), .null, .text("text")]])
    let found = try track("runs", "--where", "model.hidden = '16'", "--format", "csv")
    #expect(found.status == 0, "\(found.stderr)")
    #expect(found.stdout.split(separator: "\n").count == 2, "\(found.stdout)")
  }
}
