import Foundation
import Learning
import Tracking

/// Learning's `ExperimentRecorder` on top of Tracking's `RunLogger`: what the learner reports
/// becomes rows of the run in the store.
final class StoreRecorder: ExperimentRecorder {
  /// The run being written.
  let logger: RunLogger

  /// A recorder writing into `logger`'s run.
  init(logger: RunLogger) {
    self.logger = logger
  }

  func recordTasks(_ tasks: [TaskDescription]) throws {
    try logger.recordTasks(
      tasks.map {
        TaskRecord(
          index: $0.index, name: $0.name, trainSize: $0.trainSize, testSize: $0.testSize,
          classes: $0.classes)
      })
  }

  func logMetric(_ key: String, value: Double, step: Int, epoch: Int?, task: Int?) throws {
    try logger.log(key, value: value, step: step, epoch: epoch, task: task)
  }

  func recordMatrixRow(trainedThrough: Int, scores: [Double], metric: String) throws {
    try logger.recordMatrixRow(trainedThrough: trainedThrough, scores: scores, metric: metric)
  }

  func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws {
    _ = try logger.saveCheckpoint(task: task, epoch: epoch, kind: kind, data: data)
  }

  func addKnowledge(_ samples: [KnowledgeSample]) throws -> [Int64] {
    try logger.addKnowledge(
      samples.map { KnowledgeEntry(features: $0.features, target: $0.target, task: $0.task) })
  }

  func removeKnowledge(ids: [Int64]) throws {
    try logger.removeKnowledge(ids: ids)
  }
}
