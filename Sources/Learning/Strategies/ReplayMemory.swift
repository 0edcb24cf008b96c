import Foundation

/// The knowledge base of the rehearsal strategies (replay, DER++, ER-ACE), filled as samples
/// stream by: reservoir sampling (Vitter, 1985) or class-balanced reservoir sampling
/// (Chrysakis & Moens, 2020). Each remembered sample may keep the logits the model gave it
/// when it was stored (DER++).
final class ReplayMemory {
  let knowledge: KnowledgeBase
  private let selection: StrategySpec.Selection
  private var seen = 0
  private var seenPerClass: [Int: Int] = [:]
  private var countPerClass: [Int: Int] = [:]

  init(capacity: Int, selection: StrategySpec.Selection, recorder: ExperimentRecorder) {
    knowledge = KnowledgeBase(capacity: capacity, recorder: recorder)
    self.selection = selection
  }

  var count: Int { knowledge.count }

  /// Samples of the memory batch that goes with `batch`: `strategy.memory_batch_size`, else
  /// as many as `batch` has, at most what the memory holds.
  func batchSize(next batch: Batch, spec: StrategySpec) -> Int {
    min(spec.memoryBatchSize ?? batch.count, knowledge.count)
  }

  /// `count` slots drawn uniformly with replacement.
  func slotsWithReplacement(_ count: Int, context: StrategyContext) -> [Int] {
    (0..<count).map { _ in context.random.nextInt(below: knowledge.count) }
  }

  /// `min(count, memory size)` distinct slots, uniformly (a partial Fisher–Yates shuffle;
  /// Mammoth's `buffer.get_data` draws without replacement too).
  func distinctSlots(_ count: Int, context: StrategyContext) -> [Int] {
    var slots = Array(0..<knowledge.count)
    let n = min(count, slots.count)
    for i in 0..<n {
      let j = i + context.random.nextInt(below: slots.count - i)
      slots.swapAt(i, j)
    }
    return Array(slots.prefix(n))
  }

  /// Offers every row of `batch` to the memory; `logits` (rows × outputs, row-major) are
  /// kept with each sample stored when given.
  func remember(_ batch: Batch, logits: [Float]? = nil, context: StrategyContext) {
    let width = batch.inputs.columns
    let outputs = logits.map { $0.count / max(batch.count, 1) } ?? 0
    let memory = knowledge
    for row in 0..<batch.count {
      seen += 1
      let label = Int(batch.targets[row])
      seenPerClass[label, default: 0] += 1
      func entry() -> KnowledgeBase.Entry {
        let start = batch.inputs.pointer + row * width
        return KnowledgeBase.Entry(
          features: Array(UnsafeBufferPointer(start: start, count: width)),
          target: batch.targets[row], task: batch.tasks[row], storageID: nil,
          logits: logits.map { Array($0[(row * outputs)..<((row + 1) * outputs)]) })
      }
      if !memory.isFull {
        memory.append(entry())
        countPerClass[label, default: 0] += 1
        continue
      }
      switch selection {
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
          let slot = randomSlot(of: victimClass, count: largest, context: context)
          countPerClass[victimClass]! -= 1
          memory.replace(slot: slot, with: entry())
          countPerClass[label, default: 0] += 1
        } else {
          // Reservoir within the sample's own class.
          let j = context.random.nextInt(below: seenPerClass[label]!)
          if j < own {
            let slot = randomSlot(of: label, count: own, context: context)
            memory.replace(slot: slot, with: entry())
          }
        }
      }
    }
  }

  /// Loads an earlier run's knowledge base (`--from`), counting the samples its tasks
  /// streamed past as seen, so reservoir sampling goes on where it stopped.
  func resume(knowledge samples: [KnowledgeSample], trainedTasks: Int, context: StrategyContext)
    throws
  {
    for (position, sample) in samples.prefix(knowledge.capacity).enumerated() {
      let entry = try KnowledgeBase.entry(
        from: sample, position: position, width: context.stream.inputSize,
        outputs: context.stream.outputSize)
      knowledge.append(entry)
      countPerClass[Int(entry.target), default: 0] += 1
    }
    seen = context.stream.tasks.prefix(trainedTasks).reduce(0) { $0 + $1.train.count }
    seenPerClass = countPerClass
  }

  private func randomSlot(of label: Int, count: Int, context: StrategyContext) -> Int {
    var k = context.random.nextInt(below: count)
    for slot in 0..<knowledge.count where knowledge.label(slot) == label {
      if k == 0 { return slot }
      k -= 1
    }
    return 0
  }
}
