import Foundation

/// Averaged GEM (Chaudhry et al., 2019): a knowledge base of earlier tasks' samples (the
/// memory split evenly between tasks); each step computes a reference gradient g_ref on
/// `sample_size` memory samples and, when the batch gradient g conflicts with it
/// (g·g_ref < 0), projects g to g − (g·g_ref / g_ref·g_ref) g_ref.
final class AGEMStrategy: Strategy {
  private let spec: StrategySpec
  private var memory: KnowledgeBase?
  private var memoryBatch: Batch?
  private var reference: Vector?

  init(spec: StrategySpec) { self.spec = spec }

  private func setUp(_ context: StrategyContext) -> KnowledgeBase {
    if let memory { return memory }
    let made = KnowledgeBase(capacity: spec.memorySize, recorder: context.recorder)
    memory = made
    memoryBatch = Batch(capacity: spec.sampleSize, inputSize: context.stream.inputSize)
    reference = Vector(count: context.model.parameterCount)
    return made
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    let memory = setUp(context)
    let model = context.model
    guard memory.count > 0, let memoryBatch, let reference else {
      return context.accumulateLoss(batch)
    }
    var slots = Array(0..<memory.count)
    context.random.shuffle(&slots)
    context.fill(memoryBatch, from: memory, slots: Array(slots.prefix(spec.sampleSize)))
    context.accumulateLoss(memoryBatch)
    reference.copy(from: model.gradients)
    model.zeroGradients()
    let outcome = context.accumulateLoss(batch)
    let dot = model.gradients.dot(reference)
    if dot < 0 {
      let norm = reference.squaredNorm()
      if norm > 0 { model.gradients.axpy(-dot / norm, reference) }
    }
    return outcome
  }

  func endTask(_ task: Int, context: StrategyContext) throws {
    let memory = setUp(context)
    let quota = memory.capacity / task
    // Shrink every earlier task to its new quota, then add this task's samples.
    for earlier in 1..<task {
      var slots = (0..<memory.count).filter { memory.entries[$0].task == earlier }
      context.random.shuffle(&slots)
      for slot in slots.dropFirst(quota).sorted(by: >) { memory.remove(slot: slot) }
    }
    let train = context.stream.tasks[task - 1].train
    var order = Array(0..<train.count)
    context.random.shuffle(&order)
    for index in order.prefix(min(quota, memory.capacity - memory.count)) {
      memory.append(
        KnowledgeBase.Entry(
          features: train.featureVector(index), target: train.targets[index], task: task,
          storageID: nil))
    }
    try memory.flush()
  }

  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws {
    let memory = setUp(context)
    for (position, sample) in knowledge.prefix(memory.capacity).enumerated() {
      memory.append(
        try KnowledgeBase.entry(from: sample, position: position, width: context.stream.inputSize))
    }
    try memory.flush()
  }
}
