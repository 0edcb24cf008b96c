import Foundation
import Testing

@testable import Learning

/// Input a caller can get wrong is refused with an error in every build, before it can
/// reach the unsafe-pointer loops; broken internal invariants stop the process.
@Suite struct InputCheckTests {
  @Test func datasetRefusesFeaturesThatDoNotMatchTheTargets() {
    #expect(throws: LearningError.invalidData(
      file: "dataset", line: nil, column: nil,
      message: "3 targets × 4 features need 12 feature values, got 10")) {
      try Dataset(features: .floats(Array(repeating: 0, count: 10)), featureCount: 4,
                  targets: [0, 1, 2])
    }
    #expect(throws: LearningError.self) {
      try Dataset(features: .bytes([]), featureCount: 0, targets: [])
    }
    #expect(throws: LearningError.self) {
      try Dataset(features: .bytes(Array(repeating: 0, count: 8)), featureCount: 4,
                  targets: [0, 1], imageShape: (3, 3))
    }
  }

  @Test func gatherRefusesAnIndexOutOfRangeBeforeWriting() throws {
    let data = try Dataset(features: .floats([1, 2, 3, 4]), featureCount: 2, targets: [0, 1])
    var out: [Float] = [9, 9, 9, 9]
    #expect(throws: LearningError.invalidData(
      file: "dataset", line: nil, column: nil,
      message: "sample index 2 is out of range for a dataset of 2 samples")) {
      try out.withUnsafeMutableBufferPointer { try data.gather([1, 2], into: $0.baseAddress!) }
    }
    #expect(out == [9, 9, 9, 9], "nothing written")
    try out.withUnsafeMutableBufferPointer { try data.gather([1, 0], into: $0.baseAddress!) }
    #expect(out == [3, 4, 1, 2])
  }

  @Test func matrixSubscriptOutOfRangeStops() async {
    await #expect(processExitsWith: .failure) {
      let m = Matrix(rows: 2, columns: 3)
      _ = m[2, 0]
    }
    await #expect(processExitsWith: .failure) {
      let m = Matrix(rows: 2, columns: 3)
      m[0, 3] = 1
    }
  }

  @Test func knowledgeOfAnotherInputWidthIsRefusedOnResume() throws {
    for kind in [StrategySpec.Kind.replay, .agem] {
      let spec = smallSpec(kind)
      let first = InMemoryRecorder()
      _ = try ContinualExperiment(spec: spec, recorder: first).run()
      var knowledge = first.storedKnowledge
      // 15 of the model's 16 features: a sample from an earlier run with other data.
      knowledge[0].features = knowledge[0].features.prefix(15 * 4)
      let resume = ResumeState(
        weights: first.checkpoints[0].data, knowledge: knowledge,
        matrixRows: Array(first.matrixRows.map(\.scores).prefix(2)), tasks: first.tasks)
      let error = #expect(throws: LearningError.self) {
        try ContinualExperiment(spec: spec, recorder: InMemoryRecorder())
          .run(resumingFrom: resume)
      }
      #expect(error?.code == .incompatibleResume, "\(kind)")
      #expect(error?.description.contains("60 bytes") == true, "\(kind): \(String(describing: error))")
    }
  }
}
