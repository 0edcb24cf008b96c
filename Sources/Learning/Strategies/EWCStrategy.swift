import Foundation

/// Elastic weight consolidation (Kirkpatrick et al., 2017): after each task, a diagonal
/// Fisher F (mean over the task's batches of the squared batch gradient, as Avalanche does)
/// and the weights θ* are kept; later batches add the penalty (λ/2) Σ F (θ − θ*)², whose
/// gradient is λ F (θ − θ*). Online EWC (Schwarz et al., 2018) keeps one Fisher,
/// F ← γ F + F_new, anchored at the latest weights.
final class EWCStrategy: Strategy {
  private let spec: StrategySpec
  private var penalties: [(fisher: Vector, anchor: Vector)] = []

  init(spec: StrategySpec) { self.spec = spec }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    var outcome = context.accumulateLoss(batch)
    let lambda = Float(spec.lambda)
    let model = context.model
    for (fisher, anchor) in penalties {
      model.gradients.addWeightedDifference(lambda, weights: fisher, model.parameters, minus: anchor)
      outcome.loss += lambda / 2 * model.parameters.weightedSquaredDistance(to: anchor, weights: fisher)
    }
    return outcome
  }

  func endTask(_ task: Int, context: StrategyContext) throws {
    try consolidate(task: task, context: context)
  }

  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws {
    // The earlier run's Fisher is not stored: recompute it at the resumed weights.
    guard trainedTasks >= 1 else { return }
    for task in 1...trainedTasks { try consolidate(task: task, context: context) }
  }

  private func consolidate(task: Int, context: StrategyContext) throws {
    let model = context.model
    let fisher = Vector(count: model.parameterCount)
    let set = TrainingSet(task: context.stream.tasks[task - 1])
    let size = context.spec.training.batchSize
    let batch = Batch(capacity: size, inputSize: context.stream.inputSize)
    var batches = 0
    var start = 0
    let order = Array(0..<set.data.count)
    while start < order.count {
      try context.fill(batch, from: set, indices: order[start..<min(order.count, start + size)])
      model.zeroGradients()
      context.accumulateLoss(batch)
      fisher.addSquares(of: model.gradients)
      batches += 1
      start += size
    }
    model.zeroGradients()
    if batches > 0 { fisher.scale(by: 1 / Float(batches)) }
    let anchor = model.parameters.copy()
    if spec.online, let previous = penalties.first {
      previous.fisher.scale(by: Float(spec.decay))
      previous.fisher.axpy(1, fisher)
      penalties = [(previous.fisher, anchor)]
    } else {
      penalties.append((fisher, anchor))
    }
  }
}
