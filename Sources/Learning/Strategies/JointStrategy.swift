import Foundation

/// Cumulative (joint) training: task t trains on the training data of tasks 1...t together,
/// the usual upper bound of a continual learner.
final class JointStrategy: Strategy {
  func trainingSet(for task: Int, context: StrategyContext) -> TrainingSet {
    let tasks = context.stream.tasks[0..<task]
    let data = Dataset.concatenate(tasks.map(\.train)) ?? tasks.last!.train
    let owners = tasks.flatMap { Array(repeating: $0.description.index, count: $0.train.count) }
    return TrainingSet(data: data, taskOfSample: owners)
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    context.accumulateLoss(batch)
  }
}
