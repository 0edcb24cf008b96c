import Foundation
import Learning
import Testing
import TestSupport
import Tracking
import TrackingSQLite

@testable import Experiments
@testable import track

/// The recorder adapter writes what the learner reports into a real store file.
struct StoreRecorderTests {
  @Test func recordsTasksMetricsMatrixCheckpointsAndKnowledge() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(path: directory.path("track.db"))
    let logger = try store.startRun(name: "adapter", experiment: nil, params: [:])
    let recorder = StoreRecorder(logger: logger)
    try recorder.recordTasks([
      TaskDescription(index: 1, name: "a", trainSize: 10, testSize: 5, classes: [0, 1]),
      TaskDescription(index: 2, name: "b", trainSize: 12, testSize: 6, classes: [2, 3]),
    ])
    try recorder.logMetric("train_loss", value: 0.5, step: 1, epoch: 1, task: 1)
    try recorder.recordMatrixRow(trainedThrough: 0, scores: [0.1, 0.2], metric: "accuracy")
    try recorder.recordMatrixRow(trainedThrough: 1, scores: [0.9, 0.1], metric: "accuracy")
    try recorder.recordMatrixRow(trainedThrough: 2, scores: [0.7, 0.8], metric: "accuracy")
    try recorder.saveCheckpoint(task: 2, epoch: nil, kind: "weights", data: Data([1, 2, 3]))
    let ids = try recorder.addKnowledge([
      KnowledgeSample(features: Data([0, 0, 128, 63]), target: 1, task: 1),
      KnowledgeSample(features: Data([0, 0, 0, 64]), target: 3, task: 2),
    ])
    try recorder.removeKnowledge(ids: [ids[0]])
    try logger.finish()

    #expect(try store.tasks(of: logger.id).map(\.name) == ["a", "b"])
    #expect(try store.tasks(of: logger.id)[1].classes == [2, 3])
    #expect(try store.metricSeries(of: logger.id, key: "train_loss").map(\.value) == [0.5])
    let matrix = try store.matrix(of: logger.id)
    #expect(matrix.value(trainedThrough: 2, task: 2) == 0.8)
    #expect(abs((matrix.backwardTransfer ?? 0) - (0.7 - 0.9)) < 1e-12)
    let checkpoint = try store.latestCheckpoint(of: logger.id, kind: "weights")
    #expect(try checkpoint.map { try store.loadBlob($0.sha256) } == Data([1, 2, 3]))
    let knowledge = try store.knowledgeBase(of: logger.id)
    #expect(knowledge.map(\.target) == [3])
    #expect(knowledge.first?.features == Data([0, 0, 0, 64]))
  }
}
