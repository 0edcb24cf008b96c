import Foundation

/// Experience replay, the rule of the seed: loss on the current batch + β × loss on a batch
/// drawn from the knowledge base. The memory is filled as samples stream by, by reservoir
/// sampling (Vitter, 1985) or class-balanced reservoir sampling (Chrysakis & Moens, 2020).
final class ReplayStrategy: Strategy {
  private let spec: StrategySpec
  private var memory: KnowledgeBase?
  private var memoryBatch: Batch?
  private var seen = 0
  private var seenPerClass: [Int: Int] = [:]
  private var countPerClass: [Int: Int] = [:]

  init(spec: StrategySpec) { self.spec = spec }

  private func setUp(_ context: StrategyContext) -> KnowledgeBase {
    if let memory { return memory }
    let made = KnowledgeBase(capacity: spec.memorySize, recorder: context.recorder)
    memory = made
    memoryBatch = Batch(capacity: context.spec.training.batchSize, inputSize: context.stream.inputSize)
    return made
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    let memory = setUp(context)
    let outcome = context.accumulateLoss(batch)
    if memory.count > 0 && spec.beta > 0, let memoryBatch {
      let size = min(batch.count, memory.count)
      let slots = (0..<size).map { _ in context.random.nextInt(below: memory.count) }
      context.fill(memoryBatch, from: memory, slots: slots)
      context.accumulateLoss(memoryBatch, scale: Float(spec.beta))
    }
    remember(batch, in: memory, context: context)
    try memory.flush()
    return outcome
  }

  func resume(knowledge: [KnowledgeSample], trainedTasks: Int, context: StrategyContext) throws {
    let memory = setUp(context)
    for (position, sample) in knowledge.prefix(memory.capacity).enumerated() {
      let entry = try KnowledgeBase.entry(
        from: sample, position: position, width: context.stream.inputSize)
      memory.append(entry)
      countPerClass[Int(entry.target), default: 0] += 1
    }
    seen = context.stream.tasks.prefix(trainedTasks).reduce(0) { $0 + $1.train.count }
    seenPerClass = countPerClass
    try memory.flush()
  }

  private func remember(_ batch: Batch, in memory: KnowledgeBase, context: StrategyContext) {
    let width = batch.inputs.columns
    for row in 0..<batch.count {
      seen += 1
      let label = Int(batch.targets[row])
      seenPerClass[label, default: 0] += 1
      func entry() -> KnowledgeBase.Entry {
        let start = batch.inputs.pointer + row * width
        return KnowledgeBase.Entry(
          features: Array(UnsafeBufferPointer(start: start, count: width)),
          target: batch.targets[row], task: batch.tasks[row], storageID: nil)
      }
      if !memory.isFull {
        memory.append(entry())
        countPerClass[label, default: 0] += 1
        continue
      }
      switch spec.selection {
      case .reservoir:
        let j = context.random.nextInt(below: seen)
        if j < memory.capacity {
          countPerClass[memory.label(j), default: 0] -= 1
          memory.replace(slot: j, with: entry())
          countPerClass[label, default: 0] += 1
        }
      case .classBalanced:
        let largest = countPerClass.values.max() ?? 0
        let own = countPerClass[label] ?? 0
        if own < largest {
          // Evict a random sample of the (smallest-labelled) largest class.
          let victimClass = countPerClass.filter { $0.value == largest }.keys.min()!
          let slot = randomSlot(of: victimClass, count: largest, memory: memory, context: context)
          countPerClass[victimClass]! -= 1
          memory.replace(slot: slot, with: entry())
          countPerClass[label, default: 0] += 1
        } else {
          // Reservoir within the sample's own class.
          let j = context.random.nextInt(below: seenPerClass[label]!)
          if j < own {
            let slot = randomSlot(of: label, count: own, memory: memory, context: context)
            memory.replace(slot: slot, with: entry())
          }
        }
      }
    }
  }

  private func randomSlot(
    of label: Int, count: Int, memory: KnowledgeBase, context: StrategyContext
  ) -> Int {
    var k = context.random.nextInt(below: count)
    for slot in 0..<memory.count where memory.label(slot) == label {
      if k == 0 { return slot }
      k -= 1
    }
    return 0
  }
}
