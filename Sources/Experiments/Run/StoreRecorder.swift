import Foundation
import Learning
import Tracking

/// Learning's `ExperimentRecorder` on top of Tracking's `RunLogger`: what the learner reports
/// becomes rows of the run in the store.
public final class StoreRecorder: ExperimentRecorder {
  /// The run being written.
  public let logger: RunLogger
  /// Scores per matrix row so far (the baseline row scores every task of the stream).
  private var matrixWidth: [String: Int] = [:]
  /// Where carried-over knowledge samples came from (`--from`).
  private var provenance: KnowledgeProvenance

  /// A recorder writing into `logger`'s run.
  public init(logger: RunLogger, provenance: KnowledgeProvenance = KnowledgeProvenance()) {
    self.logger = logger
    self.provenance = provenance
  }

  public func recordTasks(_ tasks: [TaskDescription]) throws {
    try logger.recordTasks(
      tasks.map {
        TaskRecord(
          index: $0.index, name: $0.name, trainSize: $0.trainSize, testSize: $0.testSize,
          classes: $0.classes)
      })
  }

  public func logMetric(_ key: String, value: Double, step: Int, epoch: Int?, task: Int?) throws {
    try logger.log(key, value: value, step: step, epoch: epoch, task: task)
  }

  /// Rows of a run continued (`--from`) on a longer stream come back from the earlier run
  /// with fewer scores than the stream has tasks: the later tasks were never measured at
  /// that point. The store wants every row to score every task, so the unmeasured cells are
  /// written as NaN (stored as NULL: "not measured").
  public func recordMatrixRow(trainedThrough: Int, scores: [Double], metric: String) throws {
    let width = max(matrixWidth[metric] ?? 0, scores.count)
    matrixWidth[metric] = width
    let padded = scores + Array(repeating: Double.nan, count: width - scores.count)
    try logger.recordMatrixRow(trainedThrough: trainedThrough, scores: padded, metric: metric)
  }

  public func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws {
    _ = try logger.saveCheckpoint(task: task, epoch: epoch, kind: kind, data: data)
  }

  public func addKnowledge(_ samples: [KnowledgeSample]) throws -> [Int64] {
    try logger.addKnowledge(samples.map { provenance.entry(for: $0) })
  }

  public func removeKnowledge(ids: [Int64]) throws {
    try logger.removeKnowledge(ids: ids)
  }

  /// Writes the buffered points now: the epoch the progress line reports is in the file.
  public func persist() throws {
    try logger.flush()
  }

  /// Drops the run's checkpoints of earlier tasks, and the blobs only they used.
  public func dropCheckpoints(before task: Int) throws {
    try logger.dropCheckpoints(before: task)
  }

  /// One transaction for the task's knowledge-base changes, matrix row and checkpoints.
  public func completeTask(_ task: Int, _ body: () throws -> Void) throws {
    try logger.transaction(body)
  }
}
