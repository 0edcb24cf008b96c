import Testing

@testable import Experiments
@testable import track

/// `--fail-if` parsing and evaluation against deltas.
struct FailConditionTests {
  @Test func parsesAbsoluteAndRelativeConditions() throws {
    let absolute = try FailCondition.parse("acc < -0.01")
    #expect(absolute.key == "acc" && absolute.comparison == .less && absolute.threshold == -0.01)
    #expect(!absolute.relative)
    let relative = try FailCondition.parse(" forgetting>=5% ")
    #expect(relative.comparison == .greaterOrEqual && relative.relative && relative.threshold == 5)
    #expect(try FailCondition.parseList("acc < 0, bwt <= -0.1").count == 2)
  }

  @Test func rejectsMalformedConditions() {
    #expect(throws: ExperimentError.self) { try FailCondition.parse("acc") }
    #expect(throws: ExperimentError.self) { try FailCondition.parse("< 0.1") }
    #expect(throws: ExperimentError.self) { try FailCondition.parse("acc < lots") }
  }

  @Test func measuresDeltasAgainstTheFirstRun() throws {
    let condition = try FailCondition.parse("acc < -0.01")
    let measured = condition.measure(value: 0.70, base: 0.75)
    #expect(abs((measured ?? 0) + 0.05) < 1e-12)
    #expect(condition.comparison.holds(measured ?? 0, condition.threshold))
    let relative = try FailCondition.parse("acc < -10%")
    #expect(abs((relative.measure(value: 0.5, base: 0.8) ?? 0) + 37.5) < 1e-9)
    #expect(relative.measure(value: 0.5, base: 0) == nil)
  }
}
