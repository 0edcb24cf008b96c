import Foundation
import Testing

@testable import Learning

/// `data.source: random-regression` (the seed workload as a spec): its rows, its target, its
/// tasks, its checks, and that a model learns it.
struct RandomRegressionTests {
  private func spec(features: Int = 10, samples: Int = 200, tasks: Int? = nil) -> ExperimentSpec {
    var data = DataSpec(source: .randomRegression)
    data.features = features
    data.samples = samples
    var spec = ExperimentSpec(data: data)
    spec.scenario.type = .tasks
    spec.scenario.tasks = tasks
    spec.model.hidden = [16]
    spec.optimizer.type = .adam
    spec.optimizer.lr = 0.01
    spec.training.epochs = 40
    spec.training.batchSize = samples
    spec.strategy.type = .naive
    return spec
  }

  @Test func rowsAreUniformFeaturesAndTheDocumentedTarget() throws {
    let stream = try Scenario.makeStream(for: spec())
    #expect(stream.isRegression && stream.inputSize == 10 && stream.outputSize == 1)
    #expect(stream.tasks.count == 1)
    let task = stream.tasks[0]
    #expect(task.train.count == 200 && task.test.count == 50)
    guard case .floats(let x) = task.train.features else {
      Issue.record("random-regression rows are stored as floats")
      return
    }
    #expect(x.allSatisfy { $0 >= 0 && $0 < 1 })
    // Noise is 0.1·N(0, 1): the target of the formula explains the rest.
    var residuals = [Float]()
    for r in 0..<task.train.count {
      let row = Array(x[r * 10..<(r + 1) * 10])
      let sin0 = sin(2 * Float.pi * row[0])
      let clean = sin0 * row[1] + row[2] * row[3] - row[4] * row[4] + 0.5 * row[5]
      residuals.append(task.train.targets[r] - clean)
    }
    let variance = residuals.map { $0 * $0 }.reduce(0, +) / Float(residuals.count)
    #expect(abs(variance.squareRoot() - 0.1) < 0.02, "residual sd \(variance.squareRoot())")
  }

  @Test func theSameSeedGivesTheSameRowsAndLaterTasksAnotherFunction() throws {
    let first = try Scenario.makeStream(for: spec(tasks: 3))
    let again = try Scenario.makeStream(for: spec(tasks: 3))
    #expect(first.tasks.map(\.train.targets) == again.tasks.map(\.train.targets))
    #expect(first.tasks.map(\.description.name) == again.tasks.map(\.description.name))
    #expect(first.tasks[0].description.name == "a=1.00 b=1.00 c=-1.00 d=0.50")
    #expect(Set(first.tasks.map(\.description.name)).count == 3)
    var other = spec(tasks: 3)
    other.seed = 99
    #expect(try Scenario.makeStream(for: other).tasks[0].train.targets != first.tasks[0].train.targets)
  }

  @Test func fewerThanSixFeaturesWrapAround() throws {
    let stream = try Scenario.makeStream(for: spec(features: 2, samples: 8))
    guard case .floats(let x) = stream.tasks[0].train.features else { return }
    #expect(x.count == 16)
    let k = RandomRegression.coefficients(task: 1, seed: 0)
    let value = Array(x[0..<2]).withUnsafeBufferPointer {
      RandomRegression.target($0, coefficients: k)
    }
    let (a, b) = (x[0], x[1])
    let expected = sin(2 * Float.pi * a) * b + a * b - a * a + 0.5 * b
    #expect(abs(value - expected) < 1e-6)
  }

  @Test func specChecksNameTheirKeys() throws {
    var wrong = spec()
    wrong.scenario.type = .classIncremental
    #expect(throws: LearningError.invalidSpec(key: "scenario.type", message: "")) {
      do { try wrong.validate() } catch let LearningError.invalidSpec(key, _) {
        throw LearningError.invalidSpec(key: key, message: "")
      }
    }
    var few = spec()
    few.data.samples = 2
    #expect(throws: LearningError.invalidSpec(key: "data.samples", message: "")) {
      do { try few.validate() } catch let LearningError.invalidSpec(key, _) {
        throw LearningError.invalidSpec(key: key, message: "")
      }
    }
    var huge = spec()
    huge.data.samples = 1 << 50
    #expect(throws: LearningError.self) { try DataShape.check(huge) }
    #expect(spec().flattenedParams["data.samples"] == "200")
    #expect(spec().flattenedParams["data.features"] == "10")
  }

  @Test func aModelLearnsItAndLogsTheLossEveryEpoch() throws {
    let recorder = InMemoryRecorder()
    let result = try ContinualExperiment(spec: spec(), recorder: recorder).run()
    let losses = recorder.metrics.filter { $0.key == "train_loss" }.map(\.value)
    #expect(losses.count == 40)
    #expect(losses.last! < losses.first! * 0.5, "\(losses)")
    // The matrix holds −MSE: higher after training than the untrained baseline.
    #expect(result.matrix.rows[0][0]! > result.matrix.baseline[0]!)
  }
}
