import Foundation

/// Dark Experience Replay++ (Buzzega, Boschini, Porrello, Abati & Calderara, "Dark
/// Experience for General Continual Learning: a Strong, Simple Baseline", NeurIPS 2020).
///
/// The knowledge base keeps, with each sample, the logits z the model gave it when it was
/// stored (reservoir sampling, as replay). Each step:
///
///     L = CE(f(x), y)                                   the current batch
///       + α · (1/(B·K)) Σ_b ‖f(x'_b) − z'_b‖²           memory batch 1: match stored logits
///       + β · CE(f(x''), y'')                           memory batch 2: labels
///
/// with two independent memory batches of `memory_batch_size` samples (default: the current
/// batch's size B), each drawn without replacement (Mammoth's `derpp.py`: `F.mse_loss` averages over the B × K outputs). The
/// logits stored for a sample are those of the forward pass that trained on it (before the
/// optimizer step), as in Mammoth. With β = 0 this is DER; with α = 0 it is replay.
///
/// Continuing (`--from`) a run whose samples have no logits (replay, A-GEM) stores the
/// outputs of the loaded model for them: the nearest thing to "the logits when stored".
final class DERPlusPlusStrategy: Strategy {
  private let spec: StrategySpec
  private var memory: ReplayMemory?
  private var memoryBatch: Batch?
  private var logitTargets: [Float] = []

  init(spec: StrategySpec) { self.spec = spec }

  private func setUp(_ context: StrategyContext) -> ReplayMemory {
    if let memory { return memory }
    let made = ReplayMemory(
      capacity: spec.memorySize, selection: spec.selection, recorder: context.recorder)
    memory = made
    memoryBatch = Batch(
      capacity: spec.memoryBatchSize ?? context.spec.training.batchSize,
      inputSize: context.stream.inputSize)
    return made
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    let memory = setUp(context)
    let outcome = context.accumulateLoss(batch)
    let outputs = context.stream.outputSize
    // The logits to store: this forward pass's, before the memory batches overwrite them.
    let current = Array(
      UnsafeBufferPointer(start: context.model.output.pointer, count: batch.count * outputs))
    if memory.count > 0 && context.currentTask >= spec.replayStartTask, let memoryBatch {
      let size = memory.batchSize(next: batch, spec: spec)
      if spec.alpha > 0 {
        let slots = memory.distinctSlots(size, context: context)
        context.fill(memoryBatch, from: memory.knowledge, slots: slots)
        logitTargets.removeAll(keepingCapacity: true)
        for slot in slots {
          guard let stored = memory.knowledge.entries[slot].logits, stored.count == outputs else {
            throw LearningError.model(
              message: "DER++ memory slot \(slot) has no stored logits for \(outputs) outputs")
          }
          logitTargets.append(contentsOf: stored)
        }
        context.accumulateOutputMatching(
          memoryBatch, targets: logitTargets, scale: Float(spec.alpha))
      }
      if spec.beta > 0 {
        let slots = memory.distinctSlots(size, context: context)
        context.fill(memoryBatch, from: memory.knowledge, slots: slots)
        context.accumulateLoss(memoryBatch, scale: Float(spec.beta))
      }
    }
    memory.remember(batch, logits: current, context: context)
    return outcome
  }

  /// Writes the task's knowledge-base changes, inside its transaction (`KnowledgeBase`).
  func endTask(_ task: Int, context: StrategyContext) throws { try memory?.knowledge.flush() }

  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws {
    let memory = setUp(context)
    try memory.resume(knowledge: knowledge, trainedTasks: trainedTasks, context: context)
    memory.knowledge.fillMissingLogits(model: context.model, width: context.stream.inputSize)
    try memory.knowledge.flush()
  }
}
