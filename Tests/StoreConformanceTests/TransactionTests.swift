import Foundation
import Testing
import Tracking

/// A task's completion is one transaction: every write inside `RunLogger.transaction` lands,
/// or none does (a kill or an error between the matrix row and the checkpoints must not leave
/// a row without its weights).
struct TransactionTests {
  struct Interrupted: Error {}

  @Test(arguments: Backend.all) func aFailedTransactionLeavesNothing(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "atomic", experiment: nil, params: [:])
    try run.recordMatrixRow(trainedThrough: 0, scores: [0.1, 0.1], metric: "accuracy")
    #expect(throws: Interrupted.self) {
      try run.transaction {
        try run.addKnowledge([KnowledgeEntry(features: Data([1, 2]), target: 1, task: 1)])
        try run.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.2], metric: "accuracy")
        try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([7]))
        throw Interrupted()  // before the optimizer checkpoint
      }
    }
    #expect(try store.matrix(of: run.id).rows.keys.sorted() == [0])
    #expect(try store.checkpoints(of: run.id).isEmpty)
    #expect(try store.knowledgeBaseCount(of: run.id) == 0)

    try run.log("loss", value: 0.5, step: 1)  // buffered: written with the transaction
    try run.transaction {
      try run.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.2], metric: "accuracy")
      try run.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([7]))
      try run.saveCheckpoint(task: 1, epoch: nil, kind: "optimizer", data: Data([8]))
    }
    #expect(try store.matrix(of: run.id).rows.keys.sorted() == [0, 1])
    #expect(try store.checkpoints(of: run.id).map(\.kind) == ["weights", "optimizer"])
    #expect(try store.metricSeries(of: run.id, key: "loss").map(\.value) == [0.5])
    try run.finish()
    expectTrackingError(.runNotActive) { try run.transaction {} }
  }

  @Test(arguments: Backend.all) func staleHeartbeatIsAStoreSetting(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    #expect(try store.staleHeartbeat() == RunLogger.staleHeartbeat)
    let run = try store.startRun(name: "beating", experiment: nil, params: [:])
    try store.appendMetrics([], to: run.id, heartbeat: Date().addingTimeInterval(-20))
    #expect(try store.run(run.id).status == .running)  // 20 s < 60 s
    try store.setStaleHeartbeat(15)
    #expect(try store.staleHeartbeat() == 15)
    #expect(try store.run(run.id).status == .crashed)
    #expect(try store.runs().first?.status == .crashed)
    expectTrackingError(.invalidValue) { try store.setStaleHeartbeat(1) }
    expectTrackingError(.invalidValue) { try store.setStaleHeartbeat(.nan) }
    try run.finish()
  }
}
