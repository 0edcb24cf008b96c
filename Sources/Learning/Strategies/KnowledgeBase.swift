import Foundation

/// The replay memory, mirrored into the tracker's knowledge base.
///
/// Samples live in fixed slots. Changes are buffered and written to the recorder by `flush()`
/// (once per task, in the task's transaction): evicted stored samples are removed, new samples
/// added, so the store holds exactly what the memory held when the task's checkpoint was
/// saved, and `--from` resumes a consistent pair. A sample added and evicted within one task
/// never reaches the store. (Flushing after every batch made two write transactions a batch:
/// ~20× the blob bytes through the WAL, and parallel runs on one file waiting on each other's
/// locks.) The buffer is bounded: at most `capacity` unstored slots and one pending id per
/// stored sample.
final class KnowledgeBase {
  /// One remembered sample.
  struct Entry {
    var features: [Float]
    var target: Float
    var task: Int
    var storageID: Int64?
    /// The model's outputs for the sample when it was stored (DER++), else nil.
    var logits: [Float]? = nil
  }

  let capacity: Int
  private(set) var entries: [Entry] = []
  private var unstored = Set<Int>()
  private var pendingRemovals: [Int64] = []
  private let recorder: ExperimentRecorder

  init(capacity: Int, recorder: ExperimentRecorder) {
    self.capacity = capacity
    self.recorder = recorder
  }

  var count: Int { entries.count }
  var isFull: Bool { entries.count >= capacity }

  /// Class label of slot `slot`.
  func label(_ slot: Int) -> Int { Int(entries[slot].target) }

  /// Appends a sample (the memory must not be full).
  func append(_ entry: Entry) {
    entries.append(entry)
    if entry.storageID == nil { unstored.insert(entries.count - 1) }
  }

  /// Replaces the sample in `slot`, evicting the old one.
  func replace(slot: Int, with entry: Entry) {
    if let id = entries[slot].storageID { pendingRemovals.append(id) }
    entries[slot] = entry
    unstored.insert(slot)
  }

  /// Evicts the sample in `slot` (the last slot moves into its place).
  func remove(slot: Int) {
    if let id = entries[slot].storageID { pendingRemovals.append(id) }
    let last = entries.count - 1
    if slot != last {
      entries[slot] = entries[last]
      if unstored.remove(last) != nil { unstored.insert(slot) } else { unstored.remove(slot) }
    } else {
      unstored.remove(slot)
    }
    entries.removeLast()
  }

  /// Gives every sample without logits the outputs `model` gives it now (DER++ continuing a
  /// run whose strategy stored none); such samples are written again with their logits.
  func fillMissingLogits(model: MLP, width: Int) {
    let missing = entries.indices.filter { entries[$0].logits == nil }
    guard !missing.isEmpty else { return }
    let outputs = model.outputSize
    for slot in missing {
      precondition(entries[slot].features.count == width, "knowledge slot \(slot) width")
      let output = entries[slot].features.withUnsafeBufferPointer {
        model.forward($0.baseAddress!, batchSize: 1)
      }
      entries[slot].logits = Array(UnsafeBufferPointer(start: output.pointer, count: outputs))
    }
  }

  /// Writes buffered evictions and additions to the recorder.
  func flush() throws {
    if !pendingRemovals.isEmpty {
      try recorder.removeKnowledge(ids: pendingRemovals)
      pendingRemovals.removeAll(keepingCapacity: true)
    }
    guard !unstored.isEmpty else { return }
    let slots = unstored.sorted()
    let samples = slots.map { slot -> KnowledgeSample in
      let entry = entries[slot]
      let bytes = entry.features.withUnsafeBufferPointer { Data(buffer: $0) }
      let logits = entry.logits.map { values in values.withUnsafeBufferPointer { Data(buffer: $0) } }
      return KnowledgeSample(
        features: bytes, target: Double(entry.target), task: entry.task, logits: logits)
    }
    let ids = try recorder.addKnowledge(samples)
    guard ids.count == slots.count else {
      throw LearningError.model(
        message: "the recorder returned \(ids.count) ids for \(slots.count) knowledge samples")
    }
    for (slot, id) in zip(slots, ids) { entries[slot].storageID = id }
    unstored.removeAll(keepingCapacity: true)
  }

  /// An entry for a stored sample of an earlier run (`position` is 0-based, for the
  /// message); throws `LearningError.incompatibleResume` unless its features are `width`
  /// Float32 values, the model's input, and its logits (when it has them and `outputs` is
  /// given) are `outputs` Float32 values.
  static func entry(
    from sample: KnowledgeSample, position: Int, width: Int, outputs: Int? = nil
  ) throws -> Entry {
    guard sample.features.count == width * 4 else {
      throw LearningError.incompatibleResume(
        message: "knowledge-base sample \(position + 1) (task \(sample.task)) holds"
          + " \(sample.features.count) bytes of features, but the model's input is \(width)"
          + " Float32 values (\(width * 4) bytes); continue with the same data, or start"
          + " without --from")
    }
    var logits: [Float]?
    if let stored = sample.logits, let outputs {
      guard stored.count == outputs * 4 else {
        throw LearningError.incompatibleResume(
          message: "knowledge-base sample \(position + 1) (task \(sample.task)) holds"
            + " \(stored.count) bytes of logits, but the model has \(outputs) outputs"
            + " (\(outputs * 4) bytes); continue with the same data, or start without --from")
      }
      logits = floats(from: stored)
    }
    return Entry(
      features: floats(from: sample.features), target: Float(sample.target), task: sample.task,
      storageID: nil, logits: logits)
  }

  /// Features as little-endian Float32 bytes back to floats (the inverse of `flush`).
  static func floats(from data: Data) -> [Float] {
    data.withUnsafeBytes { raw in
      (0..<(raw.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
    }
  }
}
