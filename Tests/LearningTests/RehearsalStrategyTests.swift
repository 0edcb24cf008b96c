import Foundation
import Testing

@testable import Learning

/// DER++, ER-ACE and the replay variants (issue 16): their gradients, what they store, and
/// that each does what its paper says on a small class-incremental stream.
@Suite struct RehearsalStrategyTests {
  /// Three tasks of two classes, one epoch, a memory that holds all of task 1 (80 samples),
  /// so nothing is evicted (and no random draw made) while task 1 trains.
  private func classIncremental(_ kind: StrategySpec.Kind) -> ExperimentSpec {
    var spec = smallSpec(kind)
    spec.data.classes = 6
    spec.scenario.tasks = 3
    spec.training.epochs = 3
    spec.strategy.memorySize = 60
    return spec
  }

  private func run(_ spec: ExperimentSpec, _ recorder: InMemoryRecorder = InMemoryRecorder())
    throws -> ExperimentResult
  {
    try ContinualExperiment(spec: spec, recorder: recorder).run()
  }

  /// Every rehearsal strategy writes its knowledge-base changes inside the task's
  /// `completeTask` (one unit with the matrix row and checkpoint), at most one add and one
  /// remove per task, and what the store ends with is the memory: before, replay, DER++ and
  /// ER-ACE wrote after every batch (two write transactions a batch, outside the task's).
  @Test(arguments: [StrategySpec.Kind.replay, .derpp, .erACE, .agem])
  func knowledgeBaseChangesAreWrittenOncePerTaskInsideTheTask(_ kind: StrategySpec.Kind) throws {
    var spec = classIncremental(kind)
    spec.strategy.memorySize = 30  // smaller than a task: samples are evicted as tasks go
    let recorder = InMemoryRecorder()
    _ = try run(spec, recorder)
    #expect(!recorder.knowledgeWriteTasks.isEmpty)
    #expect(recorder.knowledgeWriteTasks.allSatisfy { $0 != nil })
    for task in 1...(spec.scenario.tasks ?? 0) {
      #expect(recorder.knowledgeWriteTasks.filter { $0 == task }.count <= 2)
    }
    #expect(recorder.knowledge.count == 30)
    #expect(recorder.removeCount > 0)
  }

  /// ∂/∂z of α · mean((z − t)²) over B × K outputs, the gradient DER++ adds on the memory
  /// batch's logits, against central finite differences of the loss through the model.
  @Test func logitMatchingGradientMatchesFiniteDifferences() throws {
    let model = try MLP(
      architecture: Architecture(input: 3, hidden: [4], output: 2, activation: .tanh), seed: 3)
    let inputs = Matrix(rows: 2, columns: 3, values: [0.5, -1, 0.25, 1, 0.3, -0.7])
    let targets: [Float] = [0.2, -0.4, 1.1, 0.05]
    let alpha: Float = 0.7
    func loss() -> Double {
      Double(alpha * MeanSquaredError.loss(predictions: model.forward(inputs), targets: targets))
    }
    model.zeroGradients()
    let output = model.forward(inputs)
    _ = MeanSquaredError.loss(
      predictions: output, targets: targets, gradient: model.outputGradient, scale: alpha)
    model.backward()
    let analytic = Array(UnsafeBufferPointer(start: model.gradients.pointer, count: model.parameterCount))
    let h: Float = 1e-2
    for k in 0..<model.parameterCount {
      let saved = model.parameters.pointer[k]
      model.parameters.pointer[k] = saved + h
      let up = loss()
      model.parameters.pointer[k] = saved - h
      let down = loss()
      model.parameters.pointer[k] = saved
      let numeric = (up - down) / Double(2 * h)
      #expect(abs(numeric - Double(analytic[k])) < 2e-3, "parameter \(k)")
    }
  }

  /// DER++ stores each sample's logits with it (one Float32 per output); replay keeps none.
  @Test func derppStoresLogitsWithEverySample() throws {
    let recorder = InMemoryRecorder()
    _ = try run(classIncremental(.derpp), recorder)
    #expect(recorder.knowledge.count == 60)
    #expect(recorder.knowledge.values.allSatisfy { $0.logits?.count == 6 * 4 })
    // Replay keeps none.
    let replay = InMemoryRecorder()
    _ = try run(classIncremental(.replay), replay)
    #expect(replay.knowledge.values.allSatisfy { $0.logits == nil })
  }

  /// With rehearsal from task 2 on (`replay_start_task: 2`; ER-ACE always), replay, DER++
  /// and ER-ACE train task 1 exactly like naive fine-tuning.
  @Test func replayStartingAtTaskTwoTrainsTaskOneLikeNaive() throws {
    var naive = classIncremental(.naive)
    naive.training.epochs = 1
    let reference = try run(naive)
    for kind in [StrategySpec.Kind.replay, .derpp, .erACE] {
      var spec = classIncremental(kind)
      spec.training.epochs = 1
      spec.strategy.memorySize = 100
      spec.strategy.replayStartTask = 2
      let result = try run(spec)
      #expect(result.matrix.rows[0] == reference.matrix.rows[0], "\(kind)")
      #expect(result.matrix.rows[2] != reference.matrix.rows[2], "\(kind)")
    }
    // From task 1 on (the default), replay rehearses task 1 itself: a different first row.
    var replay = classIncremental(.replay)
    replay.training.epochs = 1
    replay.strategy.memorySize = 100
    #expect(try run(replay).matrix.rows[0] != reference.matrix.rows[0])
  }

  /// Each rehearsal strategy keeps the first task far better than naive fine-tuning, which
  /// forgets it entirely in class-incremental learning.
  @Test func rehearsalKeepsTheFirstTask() throws {
    let naive = try run(classIncremental(.naive))
    #expect(naive.matrix.rows[2][0]! < 0.2)
    for kind in [StrategySpec.Kind.replay, .derpp, .erACE] {
      let result = try run(classIncremental(kind))
      #expect(
        result.matrix.rows[2][0]! > naive.matrix.rows[2][0]! + 0.3,
        "\(kind): \(result.matrix.rows)")
    }
    var concatenated = classIncremental(.replay)
    concatenated.strategy.replayLoss = .concatenated
    // One mean over both halves gives the memory half the weight β = 1 does: less kept
    // here, but kept.
    let result = try run(concatenated)
    #expect(result.matrix.rows[2][0]! > naive.matrix.rows[2][0]! + 0.1, "\(result.matrix.rows)")
  }

  /// ER-ACE's current-batch softmax: the current task's classes and the classes not seen
  /// yet; the earlier tasks' classes are masked out (none in the first task).
  @Test func erACEMasksEarlierClassesOfTheCurrentBatch() throws {
    let stream = try Scenario.makeStream(for: classIncremental(.erACE))
    #expect(ERACEStrategy.currentClasses(task: 1, stream: stream) == nil)
    #expect(
      ERACEStrategy.currentClasses(task: 2, stream: stream)
        == [false, false, true, true, true, true])
    #expect(
      ERACEStrategy.currentClasses(task: 3, stream: stream)
        == [false, false, false, false, true, true])
  }

  /// ER-ACE's current batch leaves the earlier classes' output biases alone: the gradient
  /// of the masked softmax on them is exactly 0 (plain CE would push them down).
  @Test func erACECurrentBatchGradientSparesEarlierClasses() throws {
    let spec = classIncremental(.erACE)
    let stream = try Scenario.makeStream(for: spec)
    let model = try MLP(
      architecture: Architecture(input: stream.inputSize, hidden: [8], output: 6), seed: 1)
    let context = StrategyContext(
      model: model, stream: stream, recorder: InMemoryRecorder(), spec: spec)
    context.currentTask = 2
    let strategy = ERACEStrategy(spec: spec.strategy)
    let batch = Batch(capacity: 8, inputSize: stream.inputSize)
    let task2 = TrainingSet(task: stream.tasks[1])
    try context.fill(batch, from: task2, indices: Array(0..<8)[...])
    model.zeroGradients()
    _ = try strategy.step(batch, context: context)  // memory empty: the current batch only
    let bias = model.gradients.pointer + model.layers[1].biasOffset
    #expect(bias[0] == 0 && bias[1] == 0)
    #expect(bias[2] != 0 && bias[4] != 0)
  }

  /// `--from` hands DER++ the stored logits back unchanged; samples without logits (a
  /// replay run's) get the loaded model's outputs.
  @Test func derppResumesWithTheStoredLogits() throws {
    let first = InMemoryRecorder()
    let spec = classIncremental(.derpp)
    _ = try run(spec, first)
    let samples = first.knowledge.keys.sorted().map { first.knowledge[$0]! }
    let logits = Set(samples.compactMap(\.logits))
    #expect(logits.count > 1)
    let continued = InMemoryRecorder()
    let state = ResumeState(
      weights: first.checkpoints.last { $0.kind == "weights" }!.data,
      knowledge: samples, matrixRows: first.matrixRows.map(\.scores).prefix(2).map { $0 },
      tasks: first.tasks)
    _ = try ContinualExperiment(spec: spec, recorder: continued).run(resumingFrom: state)
    // Samples still held after task 3 trained again kept the logits they came with.
    // (Task 1 is not trained again, so its samples in the memory are the carried ones.)
    let kept = continued.knowledge.values.filter { $0.task == 1 }
    #expect(!kept.isEmpty)
    // (Three epochs: an image can be in the memory more than once, each time with the
    // logits it had then; the kept sample's must be one of those.)
    for sample in kept {
      let originals = samples.filter { $0.features == sample.features }
      #expect(!originals.isEmpty)
      #expect(originals.contains { $0.logits == sample.logits })
    }
    // From samples without logits, DER++ computes them.
    let bare = samples.map { KnowledgeSample(features: $0.features, target: $0.target, task: $0.task) }
    let fromReplay = InMemoryRecorder()
    var bareState = state
    bareState.knowledge = bare
    _ = try ContinualExperiment(spec: spec, recorder: fromReplay).run(resumingFrom: bareState)
    #expect(fromReplay.knowledge.values.allSatisfy { $0.logits?.count == 6 * 4 })
  }

  /// PyTorch's `nn.Linear` default: every weight and bias in ±1/√fan_in, biases not zero.
  @Test func pytorchInitializationDrawsWithinOneOverRootFanIn() throws {
    let model = try MLP(architecture: Architecture(input: 16, hidden: [9], output: 4), seed: 2)
    model.reinitializeLikePyTorch(seed: 2)
    for layer in model.layers {
      let bound = 1 / Float(layer.inputSize).squareRoot()
      let w = UnsafeBufferPointer(
        start: model.parameters.pointer + layer.weightOffset, count: layer.parameterCount)
      #expect(w.allSatisfy { abs($0) <= bound })
      #expect(w.map(abs).max()! > bound * 0.8)
      let b = UnsafeBufferPointer(
        start: model.parameters.pointer + layer.biasOffset, count: layer.outputSize)
      #expect(b.contains { $0 != 0 })
    }
    var spec = smallSpec(.naive)
    spec.training.checkpoints = .everyTask
    let he = InMemoryRecorder(), pytorch = InMemoryRecorder()
    _ = try run(spec, he)
    spec.model.initialization = .pytorch
    _ = try run(spec, pytorch)
    #expect(he.checkpoints[0].data != pytorch.checkpoints[0].data)
  }

  /// `optimizer.across_tasks: reset` zeroes the momentum when a task begins: task 1 is the
  /// same as with the state kept, task 2 is not.
  @Test func optimizerStateIsResetBetweenTasksOnRequest() throws {
    var kept = smallSpec(.naive)
    kept.optimizer.momentum = 0.9
    kept.optimizer.lr = 0.02
    kept.training.checkpoints = .everyTask
    var reset = kept
    reset.optimizer.acrossTasks = .reset
    let a = InMemoryRecorder(), b = InMemoryRecorder()
    _ = try run(kept, a)
    _ = try run(reset, b)
    let weights = { (recorder: InMemoryRecorder) in
      recorder.checkpoints.filter { $0.kind == "weights" }.map(\.data)
    }
    #expect(weights(a)[0] == weights(b)[0])
    #expect(weights(a)[1] != weights(b)[1])
    // The optimizer checkpoint after task 2 of the reset run counts only task 2's steps.
    let steps = { (recorder: InMemoryRecorder) in
      try recorder.checkpoints.filter { $0.kind == "optimizer" }.map {
        try OptimizerState(serialized: $0.data).stepCount
      }
    }
    #expect(try steps(b)[1] == steps(a)[1] - steps(a)[0])
  }

  /// The per-epoch metrics: the current task's score and the mean over the tasks so far.
  @Test func logsCurrentTaskAndStreamAccuracy() throws {
    let recorder = InMemoryRecorder()
    let result = try run(smallSpec(.replay), recorder)
    let last = recorder.metrics.filter { $0.key == "stream_accuracy" }.last!
    #expect(last.task == 2)
    let row = result.matrix.rows[1].map { $0! }
    #expect(abs(last.value - (row[0] + row[1]) / 2) < 1e-12)
    let current = recorder.metrics.filter { $0.key == "current_task_accuracy" }.last!
    #expect(current.value == row[1])
    #expect(!recorder.metrics.contains { $0.key == "test_accuracy" })
  }
}
