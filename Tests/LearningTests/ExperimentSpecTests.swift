import Foundation
import Testing

@testable import Learning

@Suite struct ExperimentSpecTests {
  private func decode(_ json: String) throws -> ExperimentSpec {
    try JSONDecoder().decode(ExperimentSpec.self, from: Data(json.utf8))
  }

  @Test func defaultsFillEveryFieldButTheSource() throws {
    let spec = try decode(#"{"data": {"source": "fashion-mnist"}}"#)
    #expect(spec.seed == 0)
    #expect(spec.scenario.type == .classIncremental)
    #expect(spec.model.hidden == [256, 256])
    #expect(spec.optimizer.type == .sgd && spec.optimizer.lr == 0.01)
    #expect(spec.training.batchSize == 32 && spec.training.epochs == 1)
    #expect(spec.training.threads == 1)
    #expect(spec.strategy.type == .naive && spec.strategy.memorySize == 500)
    try spec.validate()
  }

  @Test func snakeCaseKeysDecodeAndRoundTrip() throws {
    let spec = try decode(
      """
      {"name": "r1", "seed": 3,
       "data": {"source": "csv", "path": "a.csv", "target": "y", "task_column": "t",
                "train_limit": 100},
       "scenario": {"type": "tasks"},
       "optimizer": {"type": "adam", "lr": 0.001, "weight_decay": 0.5},
       "training": {"batch_size": 16},
       "strategy": {"type": "replay", "memory_size": 200, "selection": "class-balanced"}}
      """)
    #expect(spec.data.taskColumn == "t")
    #expect(spec.data.trainLimit == 100)
    #expect(spec.optimizer.weightDecay == 0.5)
    #expect(spec.strategy.selection == .classBalanced)
    let again = try JSONDecoder().decode(
      ExperimentSpec.self, from: try JSONEncoder().encode(spec))
    #expect(again == spec)
    let params = spec.flattenedParams
    #expect(params["strategy.memory_size"] == "200")
    #expect(params["optimizer.lr"] == "0.001")
    #expect(params["data.task_column"] == "t")
    #expect(params["seed"] == "3")
    #expect(params["strategy.lambda"] == nil)
  }

  @Test func missingSourceAndUnknownNamesNameTheKey() throws {
    #expect(throws: LearningError.invalidSpec(
      key: "data", message: "missing; a spec needs data.source")) {
      try decode(#"{"seed": 1}"#)
    }
    do {
      _ = try decode(#"{"data": {"source": "mnist"}}"#)
      Issue.record("unknown source accepted")
    } catch let error as LearningError {
      #expect(error.code == .invalidSpec && error.code.rawValue == "invalid_spec")
      #expect(error.description.contains("data.source"))
      #expect(error.description.contains("fashion-mnist"))
    }
    #expect(throws: LearningError.self) {
      try decode(#"{"data": {"source": "synthetic"}, "strategy": {"type": "gem"}}"#)
    }
  }

  @Test func validateRejectsOutOfRangeValues() throws {
    var spec = ExperimentSpec(data: DataSpec(source: .synthetic))
    try spec.validate()
    spec.optimizer.lr = -1
    #expect(throws: LearningError.self) { try spec.validate() }
    spec.optimizer.lr = 0.1
    spec.scenario.type = .timeWindows
    do {
      try spec.validate()
      Issue.record("time windows over images accepted")
    } catch let LearningError.invalidSpec(key, _) {
      #expect(key == "scenario.type")
    }
    spec.scenario.type = .classIncremental
    spec.data = DataSpec(source: .csv)
    do {
      try spec.validate()
      Issue.record("csv without path accepted")
    } catch let LearningError.invalidSpec(key, _) {
      #expect(key == "data.path")
    }
  }

  /// The issue-16 keys: every bad value is an error naming its key and what to write.
  @Test func rehearsalAndProtocolKeysAreCheckedByName() throws {
    func key(of json: String) -> String? {
      do {
        try decode(json).validate()
        return nil
      } catch let LearningError.invalidSpec(key, _) {
        return key
      } catch {
        return "\(error)"
      }
    }
    let data = #""data": {"source": "synthetic"}"#
    #expect(key(of: "{\(data), \"strategy\": {\"replay_loss\": \"mean\"}}") == "strategy.replay_loss")
    #expect(key(of: "{\(data), \"strategy\": {\"replay_start_task\": 0}}") == "strategy.replay_start_task")
    #expect(key(of: "{\(data), \"strategy\": {\"memory_batch_size\": 0}}") == "strategy.memory_batch_size")
    #expect(
      key(of: "{\(data), \"strategy\": {\"type\": \"derpp\", \"alpha\": 0, \"beta\": 0}}")
        == "strategy.alpha")
    #expect(key(of: "{\(data), \"strategy\": {\"type\": \"derpp\", \"alpha\": -1}}") == "strategy.alpha")
    #expect(key(of: "{\(data), \"model\": {\"init\": \"xavier\"}}") == "model.init")
    #expect(key(of: "{\(data), \"optimizer\": {\"across_tasks\": \"drop\"}}") == "optimizer.across_tasks")
    let spec = try decode(
      "{\(data), \"strategy\": {\"type\": \"er-ace\", \"memory_batch_size\": 64},"
        + " \"model\": {\"init\": \"pytorch\"}, \"optimizer\": {\"across_tasks\": \"reset\"}}")
    #expect(spec.strategy.type == .erACE && spec.strategy.memoryBatchSize == 64)
    #expect(spec.flattenedParams["model.init"] == "pytorch")
    #expect(spec.flattenedParams["optimizer.across_tasks"] == "reset")
    #expect(spec.flattenedParams["strategy.memory_batch_size"] == "64")
    // Defaults are not recorded, so runs from before these keys group with new ones.
    let plain = try decode("{\(data), \"strategy\": {\"type\": \"replay\"}}").flattenedParams
    #expect(plain["model.init"] == nil && plain["strategy.replay_loss"] == nil)
  }

  @Test func allowedKeysCoverEverySection() {
    let keys = ExperimentSpec.allowedKeys
    #expect(Set(keys.keys) == ["", "data", "scenario", "model", "optimizer", "training", "strategy"])
    #expect(keys["strategy"]?.contains("sample_size") == true)
    #expect(keys["data"]?.contains("task_column") == true)
  }

  @Test func scheduleChangesTheRateByEpoch() {
    var optimizer = OptimizerSpec(lr: 1)
    optimizer.schedule = .step
    optimizer.stepSize = 2
    optimizer.gamma = 0.5
    #expect(optimizer.learningRate(epoch: 0, of: 4) == 1)
    #expect(optimizer.learningRate(epoch: 2, of: 4) == 0.5)
    optimizer.schedule = .cosine
    #expect(abs(optimizer.learningRate(epoch: 2, of: 4) - 0.5) < 1e-12)
  }
}
