import Foundation

/// State carried over when a run continues from an earlier one (`track run --from RUN`).
///
/// The earlier run's tasks must be the first tasks of the new spec's stream (same data and
/// scenario, e.g. more tasks or later years): those tasks are not trained again, and the
/// matrix extends the earlier one. The knowledge base is added to the new run afresh (the
/// new run's store mirrors its own memory), so the earlier run's entries stay untouched.
public struct ResumeState {
  /// Weights checkpoint blob (numerics checkpoint format).
  public var weights: Data
  /// Optimizer state blob (`OptimizerState.serialized()`), when saved.
  public var optimizerState: Data?
  /// The earlier run's knowledge base.
  public var knowledge: [KnowledgeSample]
  /// Earlier rows of R: `matrixRows[0]` is the baseline b, `matrixRows[i]` the row after task i.
  public var matrixRows: [[Double]]
  /// The earlier run's tasks, in order (a killed run may list more than it trained: the
  /// trained ones are the first `matrixRows.count − 1`).
  public var tasks: [TaskDescription]

  /// State to resume from.
  public init(
    weights: Data, optimizerState: Data? = nil, knowledge: [KnowledgeSample] = [],
    matrixRows: [[Double]], tasks: [TaskDescription]
  ) {
    self.weights = weights
    self.optimizerState = optimizerState
    self.knowledge = knowledge
    self.matrixRows = matrixRows
    self.tasks = tasks
  }
}
