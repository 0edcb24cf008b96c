import Foundation
import Testing
import TestSupport

/// `Examples/seed-regression.yaml` (the seed workload as a spec) runs with `track run`,
/// tracked, with the loss logged every epoch.
@Suite(.serialized) struct SeedRegressionTests {
  @Test func theSeedSpecRunsAndLogsTheLossEveryEpoch() throws {
    let track = try TrackBinary()
    defer { track.remove() }
    // A debug build: fewer rows and epochs than the example, the same spec otherwise.
    let run = try track(
      "run", "Examples/seed-regression.yaml", "--set", "training.epochs=5",
      "--set", "data.samples=500", "--set", "training.batch_size=500")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("BLAS: "))
    let points = try track("metrics", "latest", "--key", "train_loss", "--format", "json")
    #expect(points.status == 0, "\(points.stderr)")
    let listing = try JSONSerialization.jsonObject(with: Data(points.stdout.utf8)) as? [String: Any]
    let values = listing?["points"] as? [[String: Any]]
    #expect(values?.count == 5, "\(points.stdout)")
    #expect(values?.map { $0["epoch"] as? Int } == [1, 2, 3, 4, 5])
    let show = try track("show", "latest", "--format", "json")
    let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
    let params = object?["params"] as? [String: Any]
    #expect(params?["data.source"] as? String == "random-regression")
    #expect(params?["data.features"] as? Int == 10 && params?["data.samples"] as? Int == 500)
  }
}
