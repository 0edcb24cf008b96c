import Foundation

/// One task of a continual-learning stream, as the recorder stores it.
public struct TaskDescription: Sendable, Equatable {
  /// Position in the stream, starting at 1 (0 is reserved for "before any training").
  public var index: Int
  public var name: String
  public var trainSize: Int
  public var testSize: Int
  /// Class labels the task contains; empty for regression tasks.
  public var classes: [Int]

  public init(index: Int, name: String, trainSize: Int, testSize: Int, classes: [Int]) {
    self.index = index
    self.name = name
    self.trainSize = trainSize
    self.testSize = testSize
    self.classes = classes
  }
}

/// One replay-memory sample as the learner hands it to (and gets it back from) storage.
public struct KnowledgeSample: Sendable, Equatable {
  /// Storage identity; nil until stored.
  public var id: Int64?
  /// Features as little-endian Float32 bytes (images stay UInt8 in `rawFeatures` when set).
  public var features: Data
  /// Class label, or the regression target.
  public var target: Double
  /// 1-based task index the sample came from.
  public var task: Int
  /// The model's outputs for the sample when it was stored, as little-endian Float32 bytes
  /// (DER++ keeps them); nil for strategies that keep none.
  public var logits: Data?

  public init(id: Int64? = nil, features: Data, target: Double, task: Int, logits: Data? = nil) {
    self.id = id
    self.features = features
    self.target = target
    self.task = task
    self.logits = logits
  }
}

/// The small interface through which the learner reports to a tracker.
///
/// Learning knows nothing about SQL: the `track` executable adapts this protocol onto the
/// Tracking store, and tests use an in-memory recorder.
public protocol ExperimentRecorder: AnyObject {
  /// Records the tasks of the stream (called once, before training).
  func recordTasks(_ tasks: [TaskDescription]) throws
  /// Logs one scalar; `task` is the 1-based task index when the value belongs to one.
  func logMetric(_ key: String, value: Double, step: Int, epoch: Int?, task: Int?) throws
  /// Records one row of the matrix R: scores on every task `j` (1-based, `scores[j-1]`)
  /// after training through task `trainedThrough` (0 = the untrained baseline b).
  func recordMatrixRow(trainedThrough: Int, scores: [Double], metric: String) throws
  /// Saves a binary checkpoint (`kind` is "weights" or "optimizer").
  func saveCheckpoint(task: Int, epoch: Int?, kind: String, data: Data) throws
  /// Adds samples to the knowledge base; returns their storage ids in order.
  func addKnowledge(_ samples: [KnowledgeSample]) throws -> [Int64]
  /// Evicts samples from the knowledge base.
  func removeKnowledge(ids: [Int64]) throws
  /// Makes everything recorded so far durable; called at the end of each epoch, before the
  /// progress report says the epoch is done.
  func persist() throws
  /// Records a task's completion (its knowledge-base changes, matrix row and checkpoints,
  /// all reported inside `body`) as one unit: a store writes all of it or none, so a run
  /// killed part-way is continued from a task whose state is complete.
  func completeTask(_ task: Int, _ body: () throws -> Void) throws
  /// Drops the checkpoints of tasks before `task` (`training.checkpoints: last`).
  func dropCheckpoints(before task: Int) throws
}

extension ExperimentRecorder {
  /// Nothing to do for a recorder that holds no buffer.
  public func persist() throws {}
  /// Runs `body`: a recorder without transactions records as it goes.
  public func completeTask(_ task: Int, _ body: () throws -> Void) throws { try body() }
  /// Nothing to drop for a recorder that keeps no checkpoints.
  public func dropCheckpoints(before task: Int) throws {}
}
