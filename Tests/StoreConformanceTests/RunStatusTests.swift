import Foundation
import Testing
import Tracking

/// How a run ends, what an ended run refuses, and how a run whose writer died reads.
struct RunStatusTests {
  @Test(arguments: Backend.all) func finishedRunsRejectWrites(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "done", experiment: nil, params: [:])
    try run.finish(.failed)
    try run.finish()  // idempotent, keeps the first status
    #expect(try store.run(run.id).status == .failed)
    expectTrackingError(.runNotActive) { try run.log("x", value: 1, step: 0) }
    expectTrackingError(.runNotActive) { try run.logParam("x", .number(1)) }
    expectTrackingError(.runNotActive) {
      try run.recordTasks([TaskRecord(index: 1, name: "t", trainSize: 1, testSize: 1, classes: [])])
    }
    expectTrackingError(.runNotActive) {
      try run.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    }
    expectTrackingError(.runNotActive) {
      try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([1]))
    }
    expectTrackingError(.runNotActive) {
      try run.addKnowledge([KnowledgeEntry(features: Data([1]), target: 1, task: 1)])
    }
    expectTrackingError(.runNotActive) { try run.removeKnowledge(ids: [1]) }
    #expect(try store.metricKeys(of: run.id).isEmpty)
    #expect(try store.params(of: run.id).isEmpty)
    #expect(try store.checkpoints(of: run.id).isEmpty)
  }

  @Test(arguments: Backend.all) func everyEndStatusIsKept(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    for status in [RunStatus.finished, .failed, .killed] {
      let run = try store.startRun(name: status.rawValue, experiment: nil, params: [:])
      try run.finish(status)
      #expect(try store.run(run.id).status == status)
      #expect(try store.run(run.id).endedAt != nil)
    }
    #expect(
      try store.runs(where: RunFilter.parse("status = killed")).map(\.name) == ["killed"])
  }

  /// A `running` run whose heartbeat is older than `RunLogger.staleHeartbeat` lost its writer.
  @Test(arguments: Backend.all) func staleHeartbeatReadsAsCrashed(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let live = try store.startRun(name: "live", experiment: nil, params: [:])
    // No RunLogger for this one, so no timer beats its heartbeat again.
    let dead = try store.createRun(RunRequest(name: "dead"))
    let old = Date().addingTimeInterval(-RunLogger.staleHeartbeat - 5)
    try store.appendMetrics([], to: dead.id, heartbeat: old)
    #expect(try store.run(live.id).status == .running)
    #expect(try store.run(dead.id).status == .crashed)
    let statuses = Dictionary(
      uniqueKeysWithValues: try store.runs().map { ($0.name, $0.status) })
    #expect(statuses == ["live": .running, "dead": .crashed])
    #expect(try store.runs(where: RunFilter.parse("status = crashed")).map(\.name) == ["dead"])
    try live.finish()
    // An ended run keeps its status however old its heartbeat.
    try store.endRun(dead.id, status: .failed, lastPoints: [])
    try store.appendMetrics([], to: dead.id, heartbeat: old)
    #expect(try store.run(dead.id).status == .failed)
  }

  @Test(arguments: Backend.all) func readOnlyStoresRefuseEveryWrite(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "kept", experiment: nil, params: ["a": .number(1)])
    try run.log("loss", value: 1, step: 0)
    try run.finish()
    let reader = try fixture.openReadOnly()
    #expect(reader.isReadOnly)
    #expect(reader.schemaVersion == store.schemaVersion)
    #expect(try reader.runs().map(\.name) == ["kept"])
    #expect(try reader.resolveRun("latest").id == run.id)
    #expect(try reader.latestMetrics(of: run.id) == ["loss": 1])
    #expect(try reader.check().isOK)
    let id = run.id
    expectTrackingError(.readOnly) { try reader.startRun(name: "x", experiment: nil, params: [:]) }
    expectTrackingError(.readOnly) { try reader.createRun(RunRequest(name: "x")) }
    expectTrackingError(.readOnly) { try reader.setTag(run: id, key: "k", value: "v") }
    expectTrackingError(.readOnly) { try reader.logParam(run: id, key: "b", value: .number(2)) }
    expectTrackingError(.readOnly) {
      try reader.appendMetrics(
        [MetricPoint(key: "loss", value: 2, step: 1)], to: id, heartbeat: nil)
    }
    expectTrackingError(.readOnly) { try reader.endRun(id, status: .failed, lastPoints: []) }
    expectTrackingError(.readOnly) {
      try reader.recordTasks(
        [TaskRecord(index: 1, name: "t", trainSize: 1, testSize: 1, classes: [])], run: id)
    }
    expectTrackingError(.readOnly) {
      try reader.recordMatrixRow(run: id, trainedThrough: 0, scores: [0.1], metric: "accuracy")
    }
    expectTrackingError(.readOnly) {
      try reader.saveCheckpoint(run: id, task: 1, epoch: nil, kind: "weights", data: Data([1]))
    }
    expectTrackingError(.readOnly) {
      try reader.addKnowledge([KnowledgeEntry(features: Data([1]), target: 1, task: 1)], to: id)
    }
    expectTrackingError(.readOnly) { try reader.removeKnowledge(ids: [1], from: id) }
    expectTrackingError(.readOnly) { try reader.deleteRun(id) }
    expectTrackingError(.readOnly) { try reader.collectGarbage() }
    expectTrackingError(.readOnly) { try reader.repairSummaries() }
    // Nothing changed.
    #expect(try store.runs().map(\.name) == ["kept"])
    #expect(try store.run(id).status == .finished)
    #expect(try store.params(of: id) == [Param(key: "a", value: .number(1))])
    #expect(try store.tags(of: id).isEmpty)
    #expect(try store.metricSeries(of: id, key: "loss").count == 1)
    #expect(try store.matrixMetrics(of: id).isEmpty)
  }
}
