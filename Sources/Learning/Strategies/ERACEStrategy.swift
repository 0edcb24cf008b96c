import Foundation

/// Experience replay with asymmetric cross-entropy, ER-ACE (Caccia, Aljundi, Asadi,
/// Tuytelaars, Pineau & Belilovsky, "New Insights on Reducing Abrupt Representation Change
/// in Online Continual Learning", ICLR 2022).
///
/// From the second task on, each step is
///
///     L = CE_C(f(x), y) + CE(f(x'), y')
///
/// where CE_C is the cross-entropy of the current batch with the softmax over C only: the
/// current task's classes and the classes no earlier task had (Mammoth's `er_ace.py` leaves
/// the not-yet-seen classes in); earlier tasks' classes are masked out, so new samples do
/// not push the old classes' logits down. The memory batch (`memory_batch_size` samples,
/// default as many as the current batch, drawn without replacement) uses every class. The first task trains with the
/// plain cross-entropy and fills the memory; the memory is filled by reservoir sampling
/// (or class-balanced, `strategy.selection`) as replay's.
final class ERACEStrategy: Strategy {
  private let spec: StrategySpec
  private var memory: ReplayMemory?
  private var memoryBatch: Batch?
  private var allowed: [Bool]?
  private var allowedTask = 0

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

  /// The classes the current batch's softmax runs over in `task` (nil: all of them).
  static func currentClasses(task: Int, stream: TaskStream) -> [Bool]? {
    guard task >= 2, !stream.isRegression else { return nil }
    let earlier = Set(stream.tasks.prefix(task - 1).flatMap(\.description.classes))
    let own = Set(stream.tasks[task - 1].description.classes)
    guard !earlier.isEmpty else { return nil }
    return (0..<stream.outputSize).map { own.contains($0) || !earlier.contains($0) }
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    let memory = setUp(context)
    let task = context.currentTask
    if allowedTask != task {
      allowed = ERACEStrategy.currentClasses(task: task, stream: context.stream)
      allowedTask = task
    }
    if let allowed {
      let outputs = context.stream.outputSize
      if let mask = batch.mask {
        // Task-incremental heads: both masks apply.
        batch.mask = mask.indices.map { mask[$0] && allowed[$0 % outputs] }
      } else {
        batch.mask = allowed
      }
    }
    let outcome = context.accumulateLoss(batch)
    if task >= 2 && memory.count > 0, let memoryBatch {
      let slots = memory.distinctSlots(memory.batchSize(next: batch, spec: spec), context: context)
      context.fill(memoryBatch, from: memory.knowledge, slots: slots)
      context.accumulateLoss(memoryBatch)
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
