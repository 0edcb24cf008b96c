import Foundation

/// Experience replay. The seed's rule (`replay_loss: weighted-sum`, the default):
///
///     L = CE(current batch) + β · CE(memory batch)
///
/// each a mean over its own batch, the memory batch `memory_batch_size` samples (default: as
/// many as the current batch) drawn with replacement. `replay_loss: concatenated` is the rule of Mammoth's ER and of
/// Avalanche's replay: one mean CE over the current batch and the memory batch together
/// (β unused). `replay_start_task: 2` rehearses from the second task on (Avalanche fills its
/// buffer after each experience, so task 1 trains without replay). The memory is filled as
/// samples stream by (`ReplayMemory`).
final class ReplayStrategy: Strategy {
  private let spec: StrategySpec
  private var memory: ReplayMemory?
  private var memoryBatch: Batch?
  private var combined: Batch?

  init(spec: StrategySpec) { self.spec = spec }

  private func setUp(_ context: StrategyContext) -> ReplayMemory {
    if let memory { return memory }
    let made = ReplayMemory(
      capacity: spec.memorySize, selection: spec.selection, recorder: context.recorder)
    memory = made
    let size = context.spec.training.batchSize
    let memorySize = spec.memoryBatchSize ?? size
    memoryBatch = Batch(capacity: memorySize, inputSize: context.stream.inputSize)
    if spec.replayLoss == .concatenated {
      combined = Batch(capacity: size + memorySize, inputSize: context.stream.inputSize)
    }
    return made
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    let memory = setUp(context)
    let rehearse = memory.count > 0 && context.currentTask >= spec.replayStartTask
    var outcome: BatchOutcome
    switch spec.replayLoss {
    case .weightedSum:
      outcome = context.accumulateLoss(batch)
      if rehearse && spec.beta > 0, let memoryBatch {
        let slots = memory.slotsWithReplacement(memory.batchSize(next: batch, spec: spec), context: context)
        context.fill(memoryBatch, from: memory.knowledge, slots: slots)
        context.accumulateLoss(memoryBatch, scale: Float(spec.beta))
      }
    case .concatenated:
      if rehearse, let memoryBatch, let combined {
        let slots = memory.slotsWithReplacement(memory.batchSize(next: batch, spec: spec), context: context)
        context.fill(memoryBatch, from: memory.knowledge, slots: slots)
        context.fill(combined, concatenating: batch, memoryBatch)
        outcome = context.accumulateLoss(combined)
        // The per-epoch train metrics describe the current batch's rows only.
        outcome.correct = context.correctCount(firstRows: batch.count, of: combined)
      } else {
        outcome = context.accumulateLoss(batch)
      }
    }
    memory.remember(batch, context: context)
    return outcome
  }

  /// Writes the task's knowledge-base changes, inside its transaction (`KnowledgeBase`).
  func endTask(_ task: Int, context: StrategyContext) throws { try memory?.knowledge.flush() }

  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws {
    let memory = setUp(context)
    try memory.resume(knowledge: knowledge, trainedTasks: trainedTasks, context: context)
    try memory.knowledge.flush()
  }
}
