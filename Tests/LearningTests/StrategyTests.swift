import Foundation
import Testing

@testable import Learning

@Suite struct StrategyTests {
  /// Permuted synthetic stream: the same classes under new pixel orders, where keeping old
  /// weights (EWC) or old answers (LwF) visibly protects the first task.
  private func permutedSpec(_ kind: StrategySpec.Kind) -> ExperimentSpec {
    var spec = smallSpec(kind)
    spec.scenario.type = .permuted
    spec.scenario.tasks = 3
    spec.training.epochs = 3
    spec.strategy.lambda = 300
    spec.strategy.alpha = 4
    return spec
  }

  @Test func regularizersProtectTheFirstTask() throws {
    let naive = try ContinualExperiment(
      spec: permutedSpec(.naive), recorder: InMemoryRecorder()
    ).run()
    for kind in [StrategySpec.Kind.ewc, .lwf] {
      let result = try ContinualExperiment(
        spec: permutedSpec(kind), recorder: InMemoryRecorder()
      ).run()
      // Same start (same seed, same first task without a penalty or teacher)...
      #expect(result.matrix.rows[0] == naive.matrix.rows[0])
      // ...but the first task is kept better after two more tasks.
      #expect(result.matrix.rows[2][0]! > naive.matrix.rows[2][0]! + 0.05)
    }
  }

  @Test func onlineEWCKeepsOnePenalty() throws {
    var spec = permutedSpec(.ewc)
    spec.strategy.online = true
    spec.strategy.decay = 0.9
    let online = try ContinualExperiment(spec: spec, recorder: InMemoryRecorder()).run()
    let separate = try ContinualExperiment(
      spec: permutedSpec(.ewc), recorder: InMemoryRecorder()
    ).run()
    #expect(online.matrix.rows[1] == separate.matrix.rows[1])  // one task consolidated: same
    #expect(online.matrix.rows[2] != separate.matrix.rows[2])
  }
}
