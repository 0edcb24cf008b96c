import Foundation

/// What a strategy works with: the model, the stream, the recorder, a seeded generator and
/// reusable batch buffers; plus the shared loss and evaluation routines.
final class StrategyContext {
  let model: MLP
  let stream: TaskStream
  let recorder: ExperimentRecorder
  let spec: ExperimentSpec
  var random: SeededGenerator
  /// Tasks trained so far (the current one included once it begins).
  var currentTask = 0
  /// The caller's stop request, asked between evaluation chunks.
  let shouldStop: () -> Bool
  private var extraGradient: Matrix

  init(
    model: MLP, stream: TaskStream, recorder: ExperimentRecorder, spec: ExperimentSpec,
    shouldStop: @escaping () -> Bool = { false }
  ) {
    self.model = model
    self.stream = stream
    self.recorder = recorder
    self.spec = spec
    self.shouldStop = shouldStop
    random = SeededGenerator(seed: UInt64(spec.seed) &+ 0x7EA1)
    extraGradient = Matrix(rows: 0, columns: stream.outputSize, rowCapacity: 1)
  }

  /// Whether any task masks its outputs (task-incremental).
  var usesMasks: Bool { stream.tasks.contains { $0.allowedOutputs != nil } }

  /// Output mask of 1-based `task` (all true when the task has none).
  func outputMask(task: Int) -> [Bool] {
    stream.tasks[task - 1].allowedOutputs ?? Array(repeating: true, count: stream.outputSize)
  }

  /// Fills `batch` with the samples at `indices` of `set`.
  func fill(_ batch: Batch, from set: TrainingSet, indices: ArraySlice<Int>) throws {
    batch.inputs.setRows(indices.count)
    try set.data.gather(indices, into: batch.inputs.pointer)
    batch.targets = indices.map { set.data.targets[$0] }
    batch.tasks = indices.map { set.taskOfSample[$0] }
    finish(batch)
  }

  /// Fills `batch` with the knowledge-base slots `slots`.
  func fill(_ batch: Batch, from memory: KnowledgeBase, slots: [Int]) {
    batch.inputs.setRows(slots.count)
    let width = stream.inputSize
    for (row, slot) in slots.enumerated() {
      precondition(memory.entries[slot].features.count == width,
                   "knowledge slot \(slot) holds \(memory.entries[slot].features.count) of"
                     + " \(width) features")
      memory.entries[slot].features.withUnsafeBufferPointer {
        (batch.inputs.pointer + row * width).update(from: $0.baseAddress!, count: width)
      }
    }
    batch.targets = slots.map { memory.entries[$0].target }
    batch.tasks = slots.map { memory.entries[$0].task }
    finish(batch)
  }

  /// Fills `batch` with the rows of `first` followed by those of `second` (a concatenated
  /// replay batch); `batch` must hold both.
  func fill(_ batch: Batch, concatenating first: Batch, _ second: Batch) {
    let width = stream.inputSize
    batch.inputs.setRows(first.count + second.count)
    batch.inputs.pointer.update(from: first.inputs.pointer, count: first.count * width)
    (batch.inputs.pointer + first.count * width)
      .update(from: second.inputs.pointer, count: second.count * width)
    batch.targets = first.targets + second.targets
    batch.tasks = first.tasks + second.tasks
    finish(batch)
  }

  /// Correct predictions among the first `rows` rows of `batch`, from the logits of the
  /// model's last forward pass over it.
  func correctCount(firstRows rows: Int, of batch: Batch) -> Int {
    guard !stream.isRegression else { return 0 }
    let predicted = Prediction.classes(logits: model.output, allowed: batch.mask)
    return (0..<rows).filter { predicted[$0] == batch.labels[$0] }.count
  }

  /// Forward pass over `batch` and backward of `scale` × MSE(outputs, `targets`), the mean
  /// over every row and output (DER++'s logit matching); returns the unscaled MSE.
  @discardableResult
  func accumulateOutputMatching(_ batch: Batch, targets: [Float], scale: Float) -> Float {
    let output = model.forward(batch.inputs)
    let loss = MeanSquaredError.loss(
      predictions: output, targets: targets, gradient: model.outputGradient, scale: scale)
    model.backward()
    return loss
  }

  private func finish(_ batch: Batch) {
    batch.labels = stream.isRegression ? [] : batch.targets.map { Int($0) }
    batch.mask = usesMasks ? batch.tasks.flatMap { outputMask(task: $0) } : nil
  }

  /// Forward, loss and backward of `batch`, adding `scale` × the loss gradient to the model's
  /// gradients; `extra` may add more gradient on the same logits (distillation) before backward.
  @discardableResult
  func accumulateLoss(
    _ batch: Batch, scale: Float = 1, extra: ((Matrix, Matrix) -> Float)? = nil
  ) -> BatchOutcome {
    let output = model.forward(batch.inputs)
    let gradient = model.outputGradient
    var loss: Float
    var correct = 0
    if stream.isRegression {
      loss = batch.targets.withUnsafeBufferPointer {
        MeanSquaredError.loss(
          predictions: output, targets: $0.baseAddress!, gradient: gradient, scale: scale)
      }
    } else {
      correct = Prediction.correctCount(logits: output, labels: batch.labels, allowed: batch.mask)
      loss = SoftmaxCrossEntropy.loss(
        logits: output, labels: batch.labels, allowed: batch.mask, gradient: gradient,
        scale: scale)
    }
    if let extra {
      if extraGradient.rowCapacity < output.rows {
        extraGradient = Matrix(rows: 0, columns: output.columns, rowCapacity: output.rows)
      }
      extraGradient.setRows(output.rows)
      loss += extra(output, extraGradient)
      let n = output.rows * output.columns
      for k in 0..<n { gradient.pointer[k] = gradient.pointer[k] + extraGradient.pointer[k] }
    }
    model.backward()
    return BatchOutcome(loss: loss, correct: correct)
  }

  /// Rows evaluated at a time: the batch size `MLP.accuracy` and `meanSquaredError` use,
  /// so the sums, and the scores, are the same bits as one call over the whole split.
  static let evaluationChunk = 256

  /// The score of the model on task `task`'s test split: accuracy, or −MSE for regression.
  ///
  /// Reads the split `evaluationChunk` rows at a time (a permuted task's view is reordered
  /// chunk by chunk, never copied whole) and asks `shouldStop` before each chunk, throwing
  /// `LearningError.cancelled` when it turns true.
  func evaluate(task: Int) throws -> Double {
    let test = stream.tasks[task - 1].test
    guard test.count > 0 else { return 0 }
    let allowed = stream.tasks[task - 1].allowedOutputs
    let chunk = StrategyContext.evaluationChunk
    var inputs = [Float](repeating: 0, count: min(chunk, test.count) * test.featureCount)
    var correct = 0
    var squaredErrorSum = 0.0
    var start = 0
    while start < test.count {
      if shouldStop() { throw LearningError.cancelled }
      let rows = min(chunk, test.count - start)
      let range = start..<start + rows
      inputs.withUnsafeMutableBufferPointer { buffer in
        test.copyFeatures(range, into: buffer.baseAddress!)
        let output = model.forward(UnsafePointer(buffer.baseAddress!), batchSize: rows)
        if stream.isRegression {
          let loss = test.targets[range].withUnsafeBufferPointer {
            MeanSquaredError.loss(predictions: output, targets: $0.baseAddress!)
          }
          squaredErrorSum += Double(loss) * Double(rows)
        } else {
          correct += Prediction.correctCount(
            logits: output, labels: test.targets[range].map { Int($0) }, allowed: allowed)
        }
      }
      start += rows
    }
    let n = Double(test.count)
    return stream.isRegression ? -(squaredErrorSum / n) : Double(correct) / n
  }
}
