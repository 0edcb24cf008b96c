import Testing

@testable import Experiments
@testable import track

/// `--fail-if` parsing and evaluation: values, deltas and relative deltas.
struct FailConditionTests {
  @Test func parsesValueDeltaAndRelativeConditions() throws {
    let value = try FailCondition.parse("acc < 0.7")
    #expect(value.key == "acc" && value.comparison == .less && value.threshold == 0.7)
    #expect(value.quantity == .value)
    #expect(try FailCondition.parse("value(acc) < 0.7") == FailCondition(
      key: "acc", comparison: .less, threshold: 0.7, quantity: .value, text: "value(acc) < 0.7"))
    let delta = try FailCondition.parse("delta(acc) < -0.01")
    #expect(delta.key == "acc" && delta.quantity == .delta && delta.threshold == -0.01)
    let relative = try FailCondition.parse(" delta( forgetting )>=5% ")
    #expect(relative.key == "forgetting" && relative.comparison == .greaterOrEqual)
    #expect(relative.relative && relative.threshold == 5)
    #expect(try FailCondition.parseList("acc < 0, delta(bwt) <= -0.1").count == 2)
  }

  @Test func rejectsMalformedConditions() {
    #expect(throws: ExperimentError.self) { try FailCondition.parse("acc") }
    #expect(throws: ExperimentError.self) { try FailCondition.parse("< 0.1") }
    #expect(throws: ExperimentError.self) { try FailCondition.parse("acc < lots") }
    #expect(throws: ExperimentError.self) { try FailCondition.parse("delta() < 1") }
  }

  @Test func aPercentageOnABareKeySaysHowToWriteTheChange() {
    #expect {
      try FailCondition.parse("forgetting > 10%")
    } throws: { error in
      let message = (error as? ExperimentError)?.message ?? ""
      return message.contains("write 'delta(forgetting) > 10%'")
        && message.contains("a bare forgetting now compares the value itself")
    }
  }

  @Test func measuresValuesAndDeltasAgainstTheFirstRun() throws {
    #expect(try FailCondition.parse("acc < 0.7").measure(value: 0.70, base: 0.75) == 0.70)
    let condition = try FailCondition.parse("delta(acc) < -0.01")
    let measured = condition.measure(value: 0.70, base: 0.75)
    #expect(abs((measured ?? 0) + 0.05) < 1e-12)
    #expect(condition.comparison.holds(measured ?? 0, condition.threshold))
    let relative = try FailCondition.parse("delta(acc) < -10%")
    #expect(abs((relative.measure(value: 0.5, base: 0.8) ?? 0) + 37.5) < 1e-9)
    #expect(relative.measure(value: 0.5, base: 0) == nil)
  }

  @Test func aValueNotMeasuredIsNotANumber() throws {
    for text in ["forgetting > 0", "delta(forgetting) > 0", "delta(forgetting) > 1%"] {
      let condition = try FailCondition.parse(text)
      #expect(condition.measure(value: .nan, base: 0.1) == nil)
      #expect(condition.measure(value: nil, base: 0.1) == nil)
    }
    #expect(try FailCondition.parse("delta(acc) > 0").measure(value: 0.5, base: .nan) == nil)
  }
}
