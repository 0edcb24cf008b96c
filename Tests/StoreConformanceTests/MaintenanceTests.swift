import Foundation
import Testing
import Tracking

/// Deleting runs, collecting garbage, checking and repairing a sound store.
struct MaintenanceTests {
  @Test(arguments: Backend.all) func deleteAndGarbageCollect(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let keep = try store.startRun(name: "keep", experiment: nil, params: ["a": .number(1)])
    try keep.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([1, 2, 3]))
    try keep.log("loss", value: 0.5, step: 1)
    try keep.finish()
    let drop = try store.startRun(name: "drop", experiment: nil, params: ["a": .number(2)])
    try drop.log("loss", value: 1, step: 1)
    try drop.setTag("t", "v")
    try drop.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    try drop.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data(count: 50_000))
    try drop.addKnowledge([KnowledgeEntry(features: Data([7, 7]), target: 1, task: 1)])
    try drop.finish()
    let continued = try store.startRun(
      name: "continued", experiment: nil, params: [:], continuing: drop.id)
    try continued.addKnowledge(
      [KnowledgeEntry(features: Data([7, 7]), target: 1, task: 1, sourceRun: drop.id)])
    try continued.finish()

    try store.deleteRun(drop.id)
    expectTrackingError(.runNotFound) { try store.run(drop.id) }
    expectTrackingError(.runNotFound) { try store.deleteRun(drop.id) }
    expectTrackingError(.runNotFound) { try store.resolveRun("drop") }
    #expect(try store.runs().map(\.name) == ["continued", "keep"])
    #expect(try store.run(continued.id).continuedFrom == nil)
    #expect(try store.knowledgeBaseCount(of: continued.id) == 1)  // its own copy survives
    #expect(try store.params(of: keep.id) == [Param(key: "a", value: .number(1))])
    #expect(try store.latestMetrics(of: keep.id) == ["loss": 0.5])
    // The 50 kB checkpoint went with its run (the blob with its last reference, issue 11);
    // the carried-over features stay, another run references them.
    #expect(try store.collectGarbage().blobsRemoved == 0)
    #expect(try store.loadBlob(try store.checkpoints(of: keep.id)[0].sha256) == Data([1, 2, 3]))
    #expect(try store.knowledgeBase(of: continued.id)[0].features == Data([7, 7]))
    #expect(try store.check().isOK)
    #expect(try store.collectGarbage().blobsRemoved == 0)
  }

  @Test(arguments: Backend.all) func aSoundStoreChecksAndNeedsNoRepair(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    try SweepFixture.record(in: store)
    let run = try store.startRun(name: "extra", experiment: nil, params: [:])
    try run.saveCheckpoint(task: 1, epoch: 1, kind: "weights", data: Data([1, 2]))
    try run.addKnowledge([KnowledgeEntry(features: Data([3]), target: 0, task: 1)])
    try run.finish()
    let report = try store.check()
    #expect(report.isOK, "\(report.problems)")
    #expect(report.runCount == 5)
    #expect(report.schemaVersion == store.schemaVersion)
    #expect(report.blobsChecked >= 2)
    #expect(try store.repairSummaries() == 0)
    #expect(try store.check().isOK)
  }
}
