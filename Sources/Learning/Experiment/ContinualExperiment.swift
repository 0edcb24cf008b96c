import Foundation

/// Runs a whole continual-learning stream and reports everything to a recorder.
///
/// Order of events: the tasks; the baseline row b (untrained model); then per task: training
/// (per-epoch metrics; knowledge-base adds and evictions as the strategy makes them), one row
/// of R on every task's test split, and the weights and optimizer checkpoints.
///
/// ```swift
/// let experiment = try ContinualExperiment(spec: spec, recorder: recorder)
/// let result = try experiment.run()
/// print(result.accuracy ?? 0, result.backwardTransfer ?? 0)
/// ```
public final class ContinualExperiment {
  /// The validated spec.
  public let spec: ExperimentSpec
  private let recorder: ExperimentRecorder
  private let progress: ((TrainingProgress) -> Void)?
  private let shouldStop: () -> Bool

  /// Validates `spec`; nothing is read or trained until `run`.
  public init(
    spec: ExperimentSpec, recorder: ExperimentRecorder,
    progress: ((TrainingProgress) -> Void)? = nil,
    shouldStop: @escaping () -> Bool = { false }
  ) throws {
    try spec.validate()
    self.spec = spec
    self.recorder = recorder
    self.progress = progress
    self.shouldStop = shouldStop
  }

  /// Trains task after task (continuing `resumingFrom` when given) and returns the matrix.
  /// Throws `LearningError.cancelled` when `shouldStop()` turned true: between batches, or
  /// while the data is read, the tasks built or the model evaluated.
  ///
  /// `stream` is the spec's stream when the caller built it already (to find data and
  /// scenario errors before it records anything); nil builds it here.
  ///
  /// Denormals are flushed to zero on the calling thread while it runs (`Denormals`), and
  /// the caller's state is put back when it returns or throws.
  public func run(
    resumingFrom resume: ResumeState? = nil, stream prepared: TaskStream? = nil
  ) throws -> ExperimentResult {
    try Denormals.flushed { try runFlushed(resumingFrom: resume, stream: prepared) }
  }

  private func runFlushed(
    resumingFrom resume: ResumeState?, stream prepared: TaskStream?
  ) throws -> ExperimentResult {
    let started = Date()
    let stream = try prepared ?? Scenario.makeStream(for: spec, shouldStop: shouldStop)
    guard !stream.tasks.isEmpty else {
      throw LearningError.invalidSpec(key: "scenario", message: "the scenario produced no tasks")
    }
    let model: MLP
    do {
      let architecture = try ModelBuilder.architecture(for: spec.model, stream: stream)
      model = try MLP(architecture: architecture, seed: UInt64(spec.seed))
    } catch let error as LearningError {
      throw error
    } catch {
      throw LearningError.model(
        message: "cannot build the model: \(error)", cause: LearningError.Cause(error))
    }
    // `model.init: pytorch`: nn.Linear's distributions (not its bits), from the seed.
    if spec.model.initialization == .pytorch {
      model.reinitializeLikePyTorch(seed: UInt64(spec.seed))
    }
    // This experiment's threads, on its own model: another experiment in the process keeps
    // its own count (LwF's teacher copies it).
    model.threadCount = spec.training.threads
    model.reserve(batchSize: max(256, spec.training.batchSize, spec.strategy.sampleSize))
    let optimizer = makeOptimizer(parameterCount: model.parameterCount)
    let context = StrategyContext(
      model: model, stream: stream, recorder: recorder, spec: spec, shouldStop: shouldStop)
    let strategy = StrategyFactory.make(spec.strategy)
    let count = stream.tasks.count

    try recorder.recordTasks(stream.descriptions)
    report(.evaluating, task: 0, stream: stream, epoch: 0, batch: 0, batchCount: 0, loss: 0)
    var baseline = try (1...count).map { try context.evaluate(task: $0) }
    var rows = [[Double?]]()
    var firstTask = 1
    if let resume {
      firstTask = try restore(
        resume, model: model, optimizer: optimizer, stream: stream, baseline: &baseline,
        rows: &rows, strategy: strategy, context: context)
    } else {
      try recorder.recordMatrixRow(trainedThrough: 0, scores: baseline, metric: stream.scoreName)
    }

    var prequential = [Int: [String: Double]]()
    var epochStep = (firstTask - 1) * spec.training.epochs
    for task in stride(from: firstTask, through: count, by: 1) {
      context.currentTask = task
      // A fresh optimizer per task (`optimizer.across_tasks: reset`), a continued run's
      // first new task included.
      if spec.optimizer.acrossTasks == .reset && task > 1 { optimizer.reset() }
      try strategy.beginTask(task, context: context)
      let set = strategy.trainingSet(for: task, context: context)
      for epoch in 0..<spec.training.epochs {
        epochStep += 1
        optimizer.learningRate = Float(
          spec.optimizer.learningRate(epoch: epoch, of: spec.training.epochs))
        let scores = try trainEpoch(
          set, task: task, epoch: epoch, step: epochStep, stream: stream, strategy: strategy,
          context: context, optimizer: optimizer, prequential: epoch == 0 && stream.isChronological)
        if let scores { prequential[task] = scores }
      }
      // The task's knowledge-base changes, matrix row and checkpoints are one unit.
      try recorder.completeTask(task) {
        try strategy.endTask(task, context: context)
        report(.evaluating, task: task, stream: stream, epoch: spec.training.epochs, batch: 0,
               batchCount: 0, loss: 0)
        let row = try (1...count).map { try context.evaluate(task: $0) }
        rows.append(row.map { $0 })
        try recorder.recordMatrixRow(trainedThrough: task, scores: row, metric: stream.scoreName)
        if spec.training.checkpoints != .none {
          try recorder.saveCheckpoint(
            task: task, epoch: nil, kind: "weights", data: Checkpoint(model: model).serialized())
          try recorder.saveCheckpoint(
            task: task, epoch: nil, kind: "optimizer", data: optimizer.state.serialized())
        }
        if spec.training.checkpoints == .last { try recorder.dropCheckpoints(before: task) }
      }
    }
    return ExperimentResult(
      tasks: stream.descriptions,
      matrix: ScoreMatrix(baseline: baseline.map { $0 }, rows: rows), metric: stream.scoreName,
      prequential: prequential, seconds: Date().timeIntervalSince(started))
  }

  private func makeOptimizer(parameterCount: Int) -> Optimizer {
    let o = spec.optimizer
    switch o.type {
    case .sgd:
      return SGD(
        parameterCount: parameterCount, learningRate: Float(o.lr), momentum: Float(o.momentum),
        nesterov: o.nesterov, weightDecay: Float(o.weightDecay))
    case .adam:
      return Adam(
        parameterCount: parameterCount, learningRate: Float(o.lr),
        weightDecay: Float(o.weightDecay))
    }
  }

  /// One pass over `set`; logs loss and score metrics. For a chronological stream's first
  /// epoch, also scores each batch before learning from it (prequential) with the
  /// last-value and moving-average baselines, and returns those mean squared errors.
  private func trainEpoch(
    _ set: TrainingSet, task: Int, epoch: Int, step: Int, stream: TaskStream,
    strategy: Strategy, context: StrategyContext, optimizer: Optimizer, prequential: Bool
  ) throws -> [String: Double]? {
    let model = context.model
    let size = spec.training.batchSize
    var order = Array(0..<set.data.count)
    if !stream.isChronological { context.random.shuffle(&order) }
    let batchCount = (order.count + size - 1) / size
    let batch = Batch(capacity: size, inputSize: stream.inputSize)
    var lossSum = 0.0
    var correct = 0
    var seen = 0
    var errors = (model: 0.0, lastValue: 0.0, movingAverage: 0.0)
    // Dropout drops while the batches train, not while the tasks are evaluated below.
    model.isTraining = true
    defer { model.isTraining = false }
    for b in 0..<batchCount {
      if shouldStop() { throw LearningError.cancelled }
      try context.fill(batch, from: set, indices: order[(b * size)..<min(order.count, (b + 1) * size)])
      if prequential { accumulatePrequential(batch, model: model, into: &errors) }
      model.zeroGradients()
      let outcome = try strategy.step(batch, context: context)
      guard outcome.loss.isFinite else {
        throw LearningError.model(
          message: "the training loss became \(outcome.loss) in task \(task), epoch"
            + " \(epoch + 1), batch \(b + 1); lower optimizer.lr")
      }
      optimizer.step(model)
      lossSum += Double(outcome.loss) * Double(batch.count)
      correct += outcome.correct
      seen += batch.count
      // The last batch is reported after the epoch's metrics are durable (below).
      if b % 25 == 0 && b != batchCount - 1 {
        report(.training, task: task, stream: stream, epoch: epoch + 1, batch: b + 1,
               batchCount: batchCount, loss: lossSum / Double(max(seen, 1)))
      }
    }
    model.isTraining = false
    let n = Double(max(seen, 1))
    try recorder.logMetric("train_loss", value: lossSum / n, step: step, epoch: epoch + 1, task: task)
    if !stream.isRegression {
      try recorder.logMetric(
        "train_accuracy", value: Double(correct) / n, step: step, epoch: epoch + 1, task: task)
    }
    // The current task's test score (named `test_<score>` before issue 16: it never
    // measured more than the current task), and the stream score: the mean over the tasks
    // trained so far, 1...task (Avalanche's stream accuracy).
    var seenScores = [Double]()
    for seenTask in 1...task { seenScores.append(try context.evaluate(task: seenTask)) }
    try recorder.logMetric(
      "current_task_\(stream.scoreName)", value: seenScores[task - 1], step: step,
      epoch: epoch + 1, task: task)
    try recorder.logMetric(
      "stream_\(stream.scoreName)", value: seenScores.reduce(0, +) / Double(task), step: step,
      epoch: epoch + 1, task: task)
    var scores: [String: Double]?
    if prequential {
      let mse = [
        "model_mse": errors.model / n, "last_value_mse": errors.lastValue / n,
        "moving_average_mse": errors.movingAverage / n,
      ]
      for (key, value) in mse.sorted(by: { $0.key < $1.key }) {
        try recorder.logMetric(
          "prequential_\(key)", value: value, step: step, epoch: epoch + 1, task: task)
      }
      scores = mse
    }
    // What the progress line is about to call done is durable first (kill -9 loses none).
    try recorder.persist()
    report(.training, task: task, stream: stream, epoch: epoch + 1, batch: batchCount,
           batchCount: batchCount, loss: lossSum / n)
    return scores
  }

  /// Adds the squared errors of the model (before it learns the batch) and of the two
  /// baselines: last value (no change, 0 in percent-change units) and the window's mean.
  private func accumulatePrequential(
    _ batch: Batch, model: MLP,
    into errors: inout (model: Double, lastValue: Double, movingAverage: Double)
  ) {
    let output = model.forward(batch.inputs)
    let width = batch.inputs.columns
    for row in 0..<batch.count {
      let target = Double(batch.targets[row])
      let prediction = Double(output.pointer[row])
      var mean = 0.0
      for k in 0..<width { mean += Double(batch.inputs.pointer[row * width + k]) }
      mean /= Double(width)
      errors.model += (prediction - target) * (prediction - target)
      errors.lastValue += target * target
      errors.movingAverage += (mean - target) * (mean - target)
    }
  }

  /// Loads the earlier run's state; returns the first task left to train.
  private func restore(
    _ resume: ResumeState, model: MLP, optimizer: Optimizer, stream: TaskStream,
    baseline: inout [Double], rows: inout [[Double?]], strategy: Strategy,
    context: StrategyContext
  ) throws -> Int {
    // A run killed part-way recorded every task of its stream but trained only as many as
    // it has rows after the baseline: those are the tasks to skip.
    let done = resume.matrixRows.count - 1
    guard done >= 1, done <= resume.tasks.count else {
      throw LearningError.incompatibleResume(
        message: "the earlier run has \(resume.matrixRows.count) matrix rows for"
          + " \(resume.tasks.count) tasks; it must have finished at least one task")
    }
    let earlierNames = resume.tasks.prefix(done).map(\.name)
    let names = stream.tasks.prefix(done).map(\.description.name)
    guard done <= stream.tasks.count, names == earlierNames else {
      throw LearningError.incompatibleResume(
        message: "the earlier run trained tasks [\(earlierNames.joined(separator: "; "))]"
          + " but this spec's stream starts with"
          + " [\(stream.tasks.prefix(done).map(\.description.name).joined(separator: "; "))];"
          + " continue with the same data and scenario (more tasks or later periods)")
    }
    do {
      try Checkpoint(serialized: resume.weights).restore(into: model)
      if let blob = resume.optimizerState {
        try optimizer.restore(OptimizerState(serialized: blob))
      }
    } catch {
      throw LearningError.incompatibleResume(
        message: "cannot load the earlier weights: \(error); keep the earlier run's model"
          + " section (hidden sizes, activation) and data, or start without --from",
        cause: LearningError.Cause(error))
    }
    // Earlier tasks keep their recorded scores; new tasks get this run's measurements.
    for (j, value) in resume.matrixRows[0].enumerated() where j < baseline.count {
      baseline[j] = value
    }
    try recorder.recordMatrixRow(trainedThrough: 0, scores: baseline, metric: stream.scoreName)
    for i in 1..<done {
      let earlier = resume.matrixRows[i]
      rows.append((0..<stream.tasks.count).map { $0 < earlier.count ? earlier[$0] : nil })
      try recorder.recordMatrixRow(trainedThrough: i, scores: earlier, metric: stream.scoreName)
    }
    var last = try (1...stream.tasks.count).map { try context.evaluate(task: $0) }
    for (j, value) in resume.matrixRows[done].enumerated() where j < last.count { last[j] = value }
    rows.append(last.map { $0 })
    try recorder.recordMatrixRow(trainedThrough: done, scores: last, metric: stream.scoreName)
    context.currentTask = done
    try strategy.resume(knowledge: resume.knowledge, trainedTasks: done, context: context)
    return done + 1
  }

  private func report(
    _ phase: TrainingProgress.Phase, task: Int, stream: TaskStream, epoch: Int, batch: Int,
    batchCount: Int, loss: Double
  ) {
    guard let progress else { return }
    progress(
      TrainingProgress(
        phase: phase, task: task, taskCount: stream.tasks.count,
        taskName: task >= 1 ? stream.tasks[task - 1].description.name : "baseline",
        epoch: epoch, epochCount: spec.training.epochs, batch: batch, batchCount: batchCount,
        loss: loss))
  }
}
