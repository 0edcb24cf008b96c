import Foundation
import Testing

@testable import Learning

/// A small, fast synthetic spec: 4 classes of 16 features, 2 tasks of 2 classes.
func smallSpec(_ strategy: StrategySpec.Kind = .naive, seed: Int = 0) -> ExperimentSpec {
  var data = DataSpec(source: .synthetic)
  data.classes = 4
  data.features = 16
  data.samplesPerClass = 40
  var spec = ExperimentSpec(data: data, seed: seed)
  spec.scenario.tasks = 2
  spec.model.hidden = [16]
  spec.optimizer.lr = 0.1
  spec.training.batchSize = 8
  spec.training.epochs = 2
  spec.strategy = StrategySpec(type: strategy)
  spec.strategy.memorySize = 20
  spec.strategy.sampleSize = 8
  return spec
}

@Suite struct ContinualExperimentTests {
  @Test func recordsBaselineRowsMetricsAndCheckpoints() throws {
    let recorder = InMemoryRecorder()
    let result = try ContinualExperiment(spec: smallSpec(), recorder: recorder).run()
    #expect(recorder.tasks.map(\.classes) == [[0, 1], [2, 3]])
    #expect(recorder.tasks.map(\.trainSize) == [80, 80])
    #expect(recorder.matrixRows.map(\.trainedThrough) == [0, 1, 2])
    #expect(recorder.matrixRows.allSatisfy { $0.scores.count == 2 && $0.metric == "accuracy" })
    // Learning the first task makes it well above chance; naive forgets it on task 2.
    #expect(result.matrix.rows[0][0]! > 0.9)
    #expect(result.matrix.rows[1][1]! > 0.9)
    #expect(result.matrix.rows[1][0]! < 0.5)
    #expect(result.backwardTransfer! < -0.4)
    #expect(abs(result.accuracy! - (result.matrix.rows[1][0]! + result.matrix.rows[1][1]!) / 2) < 1e-12)
    let lossMetrics = recorder.metrics.filter { $0.key == "train_loss" }
    #expect(lossMetrics.map(\.task) == [1, 1, 2, 2])
    #expect(lossMetrics.map(\.epoch) == [1, 2, 1, 2])
    #expect(lossMetrics.map(\.step) == [1, 2, 3, 4])
    #expect(recorder.metrics.contains { $0.key == "current_task_accuracy" && $0.task == 2 })
    #expect(recorder.checkpoints.map(\.kind) == ["weights", "optimizer", "weights", "optimizer"])
    let weights = try Checkpoint(serialized: recorder.checkpoints[2].data)
    #expect(weights.architecture.sizes == [16, 16, 4])
    #expect(recorder.knowledge.isEmpty)
  }

  @Test func sameSpecAndSeedGiveTheSameMatrix() throws {
    for kind in [StrategySpec.Kind.replay, .ewc] {
      let first = try ContinualExperiment(spec: smallSpec(kind), recorder: InMemoryRecorder()).run()
      let second = try ContinualExperiment(spec: smallSpec(kind), recorder: InMemoryRecorder()).run()
      #expect(first.matrix == second.matrix)
      let other = try ContinualExperiment(
        spec: smallSpec(kind, seed: 1), recorder: InMemoryRecorder()
      ).run()
      #expect(other.matrix != first.matrix)
    }
  }

  @Test func replayMirrorsItsMemoryIntoTheStoreAndRemembers() throws {
    for selection in [StrategySpec.Selection.reservoir, .classBalanced] {
      var spec = smallSpec(.replay)
      spec.strategy.selection = selection
      let recorder = InMemoryRecorder()
      let result = try ContinualExperiment(spec: spec, recorder: recorder).run()
      #expect(recorder.knowledge.count == 20)
      #expect(recorder.removeCount > 0)
      #expect(recorder.addCount == recorder.knowledge.count + recorder.removeCount)
      let stored = recorder.storedKnowledge
      #expect(stored.allSatisfy { $0.features.count == 16 * 4 })
      #expect(Set(stored.map(\.task)) == [1, 2])
      if selection == .classBalanced {
        let perClass = Dictionary(grouping: stored, by: { Int($0.target) }).mapValues(\.count)
        #expect(perClass.values.allSatisfy { $0 == 5 })
      }
      // Replay keeps the first task far better than naive fine-tuning.
      #expect(result.matrix.rows[1][0]! > 0.6)
    }
  }

  @Test func everyStrategyRunsAndJointBeatsNaive() throws {
    var accuracy = [StrategySpec.Kind: Double]()
    for kind in StrategySpec.Kind.allCases {
      let recorder = InMemoryRecorder()
      let result = try ContinualExperiment(spec: smallSpec(kind), recorder: recorder).run()
      // Unwrapped before it is stored: `accuracy[kind] = try #require(...)` would bind the
      // dictionary's `Double?` and pass on nil.
      let value = try #require(result.accuracy, "\(kind) measured no ACC")
      accuracy[kind] = value
      #expect(result.matrix.rows.count == 2)
      if kind == .agem {
        #expect(recorder.knowledge.count == 20)
        #expect(Set(recorder.storedKnowledge.map(\.task)) == [1, 2])
      }
    }
    #expect(accuracy[.joint]! > accuracy[.naive]! + 0.3)
    #expect(accuracy[.replay]! > accuracy[.naive]! + 0.2)
  }

  @Test func taskIncrementalMasksOutputsToTheTask() throws {
    var spec = smallSpec()
    spec.scenario.type = .taskIncremental
    let result = try ContinualExperiment(spec: spec, recorder: InMemoryRecorder()).run()
    // Inside its own two classes, the old task is still told apart far better than in the
    // class-incremental run, where the new head's classes take over.
    #expect(result.matrix.rows[1][0]! > 0.6)
    #expect(result.matrix.baseline.allSatisfy { $0! >= 0 && $0! <= 1 })
  }

  @Test func domainStreamsKeepEveryClassInEveryTask() throws {
    for type in [ScenarioSpec.Kind.permuted, .rotated] {
      var spec = smallSpec()
      spec.scenario.type = type
      spec.scenario.tasks = 3
      let recorder = InMemoryRecorder()
      let result = try ContinualExperiment(spec: spec, recorder: recorder).run()
      #expect(recorder.tasks.count == 3)
      #expect(recorder.tasks.allSatisfy { $0.classes == [0, 1, 2, 3] })
      #expect(result.matrix.rows[2][2]! > 0.8)
    }
  }

  @Test func cancellingStopsBetweenBatches() throws {
    var batches = 0
    let experiment = try ContinualExperiment(
      spec: smallSpec(), recorder: InMemoryRecorder(),
      shouldStop: {
        batches += 1
        return batches > 3
      })
    #expect(throws: LearningError.cancelled) { try experiment.run() }
    #expect(batches == 4)
  }

  @Test func progressCoversEveryTask() throws {
    var seen = Set<Int>()
    var last: TrainingProgress?
    _ = try ContinualExperiment(
      spec: smallSpec(), recorder: InMemoryRecorder(),
      progress: { progress in
        if progress.phase == .training { seen.insert(progress.task) }
        last = progress
      }
    ).run()
    #expect(seen == [1, 2])
    #expect(last?.phase == .evaluating && last?.task == 2 && last?.taskCount == 2)
  }

  @Test func resumingContinuesTheMatrixAndTheKnowledgeBase() throws {
    var short = smallSpec(.replay)
    short.data.classes = 6
    short.scenario.tasks = 2
    short.scenario.classesPerTask = 2
    let first = InMemoryRecorder()
    let earlier = try ContinualExperiment(spec: short, recorder: first).run()
    var long = short
    long.scenario.tasks = 3
    let weights = first.checkpoints.last { $0.kind == "weights" }!.data
    let resume = ResumeState(
      weights: weights, optimizerState: first.checkpoints.last!.data,
      knowledge: first.storedKnowledge, matrixRows: first.matrixRows.map(\.scores),
      tasks: first.tasks)
    let second = InMemoryRecorder()
    let result = try ContinualExperiment(spec: long, recorder: second).run(resumingFrom: resume)
    #expect(second.tasks.count == 3)
    #expect(second.matrixRows.map(\.trainedThrough) == [0, 1, 2, 3])
    // Earlier tasks keep their recorded scores; the matrix extends them.
    #expect(result.matrix.rows[0][0] == earlier.matrix.rows[0][0])
    #expect(result.matrix.rows[1][1] == earlier.matrix.rows[1][1])
    #expect(result.matrix.rows[0][2] == nil)
    #expect(result.matrix.rows.count == 3)
    #expect(result.backwardTransfer != nil && result.forwardTransfer != nil)
    // Only task 3 was trained, and the new run's store got its own copy of the memory.
    #expect(second.metrics.filter { $0.key == "train_loss" }.allSatisfy { $0.task == 3 })
    #expect(second.knowledge.count == 20)
    #expect(second.storedKnowledge.contains { $0.task == 1 })
    // A run killed after its first task lists all its tasks but only two rows: it resumes
    // at task 2.
    let killed = ResumeState(
      weights: first.checkpoints[0].data, optimizerState: first.checkpoints[1].data,
      knowledge: [], matrixRows: Array(first.matrixRows.map(\.scores).prefix(2)),
      tasks: first.tasks)
    let third = InMemoryRecorder()
    _ = try ContinualExperiment(spec: long, recorder: third).run(resumingFrom: killed)
    #expect(Set(third.metrics.filter { $0.key == "train_loss" }.compactMap(\.task)) == [2, 3])
    // A stream that does not start with the earlier tasks is refused.
    var other = long
    other.scenario.classOrder = [5, 4, 3, 2, 1, 0]
    #expect(throws: LearningError.self) {
      try ContinualExperiment(spec: other, recorder: InMemoryRecorder()).run(resumingFrom: resume)
    }
  }
}
