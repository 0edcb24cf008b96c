import Foundation
import Testing
import Tracking

/// A run's knowledge base (replay samples), its provenance, and continuing a run.
struct KnowledgeBaseTests {
  @Test(arguments: Backend.all) func entriesAreAddedCountedAndRemoved(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "kb", experiment: nil, params: [:])
    let other = try store.startRun(name: "other", experiment: nil, params: [:])
    #expect(try store.knowledgeBaseCount(of: run.id) == 0)
    #expect(try store.knowledgeBase(of: run.id).isEmpty)
    let entries = (0..<4).map {
      KnowledgeEntry(features: Data([UInt8($0), 9]), target: Double($0) / 2, task: $0 % 2 + 1)
    }
    let ids = try run.addKnowledge(entries)
    #expect(ids.count == 4)
    #expect(Set(ids).count == 4)
    let otherIDs = try other.addKnowledge([KnowledgeEntry(features: Data([1]), target: 1, task: 1)])
    #expect(try store.knowledgeBaseCount(of: run.id) == 4)
    try run.removeKnowledge(ids: [ids[1], otherIDs[0], 987_654])  // other runs' ids are ignored
    #expect(try store.knowledgeBaseCount(of: run.id) == 3)
    #expect(try store.knowledgeBaseCount(of: other.id) == 1)
    #expect(try store.knowledgeBaseCounts(of: run.id) == [1: 2, 2: 1])  // tasks 1, 1, 2 kept
    #expect(try store.knowledgeBaseCounts(of: other.id) == [1: 1])
    expectTrackingError(.runNotFound) { try store.knowledgeBaseCounts(of: 987_654) }
    let kept = try store.knowledgeBase(of: run.id)  // oldest first
    #expect(kept.map(\.id) == [ids[0], ids[2], ids[3]])
    #expect(kept.map(\.features) == [Data([0, 9]), Data([2, 9]), Data([3, 9])])
    #expect(kept.map(\.target) == [0, 1, 1.5])
    #expect(kept.map(\.task) == [1, 1, 2])
    #expect(kept.allSatisfy { $0.sourceRun == run.id && $0.addedAt != nil })
    try run.finish()
    try other.finish()
  }

  /// DER++'s stored logits (migration 8 in SQLite): kept byte for byte, nil stays nil.
  @Test(arguments: Backend.all) func logitsAreKeptAsGiven(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let run = try store.startRun(name: "derpp", experiment: nil, params: [:])
    let logits = Data([0, 0, 128, 63, 0, 0, 0, 192])  // 1.0, -2.0 as Float32
    try run.addKnowledge([
      KnowledgeEntry(features: Data([1, 2]), target: 1, task: 1, logits: logits),
      KnowledgeEntry(features: Data([3, 4]), target: 0, task: 1),
    ])
    try run.finish()
    let kept = try store.knowledgeBase(of: run.id)
    #expect(kept.map(\.logits) == [logits, nil])
  }

  @Test(arguments: Backend.all) func givenProvenanceIsKept(_ backend: Backend) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let source = try store.startRun(name: "source", experiment: nil, params: [:])
    try source.finish()
    let run = try store.startRun(name: "copy", experiment: nil, params: [:])
    let then = Date(timeIntervalSince1970: 1_700_000_000)
    try run.addKnowledge([
      KnowledgeEntry(features: Data([1]), target: 1, task: 1, sourceRun: source.id, addedAt: then)
    ])
    try run.finish()
    let entry = try #require(try store.knowledgeBase(of: run.id).first)
    #expect(entry.sourceRun == source.id)
    #expect(entry.addedAt == then)
  }

  /// `--from` is the application's rule (Experiments' ResumeLoader): the store copies
  /// nothing when a run continues another, and keeps the provenance it is given.
  @Test(arguments: Backend.all) func continuingCopiesNothingAndKnowledgeKeepsItsProvenance(
    _ backend: Backend
  ) throws {
    let fixture = try backend.makeStore()
    defer { fixture.remove() }
    let store = fixture.store
    let first = try store.startRun(name: "first", experiment: nil, params: ["lr": .number(1)])
    let samples = (0..<5).map {
      KnowledgeEntry(features: Data([UInt8($0), 1, 2]), target: Double($0), task: 1)
    }
    let ids = try first.addKnowledge(samples)
    try first.removeKnowledge(ids: [ids[0]])
    try first.setTag("t", "v")
    try first.log("loss", value: 1, step: 0)
    try first.recordTasks([TaskRecord(index: 1, name: "a", trainSize: 1, testSize: 1)])
    try first.recordMatrixRow(trainedThrough: 0, scores: [0.1], metric: "accuracy")
    try first.saveCheckpoint(task: 1, epoch: nil, kind: "weights", data: Data([5]))
    try first.finish()
    let earlier = try store.knowledgeBase(of: first.id)
    #expect(earlier.map(\.target) == [1, 2, 3, 4])
    #expect(earlier.allSatisfy { $0.sourceRun == first.id })

    let second = try store.startRun(
      name: "second", experiment: nil, params: [:], continuing: first.id)
    #expect(try store.run(second.id).continuedFrom == first.id)
    #expect(try store.runs(where: RunFilter.parse("name = second"))[0].continuedFrom == first.id)
    #expect(try store.knowledgeBaseCount(of: second.id) == 0)
    #expect(try store.params(of: second.id).isEmpty)
    #expect(try store.tags(of: second.id).isEmpty)
    #expect(try store.metricKeys(of: second.id).isEmpty)
    #expect(try store.tasks(of: second.id).isEmpty)
    #expect(try store.matrixMetrics(of: second.id).isEmpty)
    #expect(try store.checkpoints(of: second.id).isEmpty)
    var carried = earlier[1]
    carried.id = nil
    try second.addKnowledge([carried, KnowledgeEntry(features: Data([9]), target: 9, task: 2)])
    try second.finish()
    let kept = try store.knowledgeBase(of: second.id)
    #expect(kept.map(\.sourceRun) == [first.id, second.id])
    #expect(kept[0].addedAt == earlier[1].addedAt)
    #expect(kept[0].features == earlier[1].features)
    #expect(try store.knowledgeBaseCount(of: first.id) == 4)  // the source is untouched
    expectTrackingError(.runNotFound) {
      try store.startRun(name: "x", experiment: nil, params: [:], continuing: 999)
    }
  }
}
