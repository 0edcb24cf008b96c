import Foundation

/// How each batch updates the model, and what happens between tasks.
///
/// Before `step` the experiment zeroes the gradients; after it, it applies the optimizer.
/// A strategy adds its loss gradients to `context.model.gradients` and returns the current
/// batch's loss and correct count (for the per-epoch metrics).
protocol Strategy: AnyObject {
  /// The samples task `task` (1-based) trains on; the cumulative strategy returns all so far.
  func trainingSet(for task: Int, context: StrategyContext) -> TrainingSet
  /// Called before the first batch of `task`.
  func beginTask(_ task: Int, context: StrategyContext) throws
  /// Adds the gradients of one batch; returns its loss and correct predictions.
  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome
  /// Called after the last batch of `task`.
  func endTask(_ task: Int, context: StrategyContext) throws
  /// Restores state of an earlier run that trained tasks 1...`trainedTasks`.
  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws
}

extension Strategy {
  func trainingSet(for task: Int, context: StrategyContext) -> TrainingSet {
    TrainingSet(task: context.stream.tasks[task - 1])
  }
  func beginTask(_ task: Int, context: StrategyContext) throws {}
  func endTask(_ task: Int, context: StrategyContext) throws {}
  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws {}
}

/// Samples to train on, with the task each one belongs to.
struct TrainingSet {
  var data: Dataset
  var taskOfSample: [Int]

  init(task: LearningTask) {
    data = task.train
    taskOfSample = Array(repeating: task.description.index, count: task.train.count)
  }

  init(data: Dataset, taskOfSample: [Int]) {
    self.data = data
    self.taskOfSample = taskOfSample
  }
}

/// Loss and correct count of the current batch.
struct BatchOutcome {
  var loss: Float
  var correct: Int
}

/// Makes the strategy a spec asks for.
enum StrategyFactory {
  static func make(_ spec: StrategySpec) -> Strategy {
    switch spec.type {
    case .naive: return NaiveStrategy()
    case .joint: return JointStrategy()
    case .replay: return ReplayStrategy(spec: spec)
    case .ewc: return EWCStrategy(spec: spec)
    case .lwf: return LwFStrategy(spec: spec)
    case .agem: return AGEMStrategy(spec: spec)
    case .derpp: return DERPlusPlusStrategy(spec: spec)
    case .erACE: return ERACEStrategy(spec: spec)
    }
  }
}
