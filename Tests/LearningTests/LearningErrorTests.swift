import Foundation
import Testing

@testable import Learning

/// `LearningError` keeps the code of the model or checkpoint error it wraps.
@Suite struct LearningErrorTests {
  @Test func codesKeepTheirStrings() {
    #expect(LearningError.Code.allCases.map(\.rawValue)
      == ["cancelled", "invalid_spec", "invalid_data", "incompatible_resume", "model"])
    #expect(LearningError.cancelled.code == .cancelled)
    #expect(LearningError.model(message: "x").code == .model)
    #expect(LearningError.model(message: "x").description == "model error: x")
  }

  /// A finished one-task run of `spec`, and the state to continue from it.
  static func earlierRun(_ spec: ExperimentSpec) throws -> ResumeState {
    let recorder = InMemoryRecorder()
    _ = try ContinualExperiment(spec: spec, recorder: recorder).run()
    return ResumeState(
      weights: recorder.checkpoints[0].data, optimizerState: recorder.checkpoints[1].data,
      matrixRows: Array(recorder.matrixRows.map(\.scores).prefix(2)), tasks: recorder.tasks)
  }

  @Test func damagedWeightsKeepTheCheckpointCode() throws {
    let spec = smallSpec()
    var resume = try Self.earlierRun(spec)
    resume.weights[resume.weights.count / 2] ^= 0xFF
    let error = #expect(throws: LearningError.self) {
      try ContinualExperiment(spec: spec, recorder: InMemoryRecorder()).run(resumingFrom: resume)
    }
    #expect(error?.code == .incompatibleResume)
    guard case .checkpoint(let underlying)? = error?.cause else {
      Issue.record("no checkpoint cause in \(String(describing: error))")
      return
    }
    #expect(underlying.code == .checksumMismatch)
    #expect(error?.description.hasPrefix(
      "cannot continue from the earlier run: cannot load the earlier weights: checkpoint error"
        + " (checksumMismatch)") == true, "\(String(describing: error))")
  }

  @Test func anotherModelKeepsTheModelCode() throws {
    var resume = try Self.earlierRun(smallSpec())
    resume.optimizerState = nil
    var wider = smallSpec()
    wider.model.hidden = [24]
    let error = #expect(throws: LearningError.self) {
      try ContinualExperiment(spec: wider, recorder: InMemoryRecorder()).run(resumingFrom: resume)
    }
    #expect(error?.code == .incompatibleResume)
    guard case .model(let underlying)? = error?.cause else {
      Issue.record("no model cause in \(String(describing: error))")
      return
    }
    #expect(underlying.code == .shapeMismatch)
  }
}
