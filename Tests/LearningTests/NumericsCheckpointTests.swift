import Foundation
import Testing

@testable import Learning

/// The checkpoint format: exact round trips, and clear errors for damaged input.
@Suite struct NumericsCheckpointTests {
  static func trainedModel() throws -> (MLP, SGD) {
    let model = try MLP(
      architecture: Architecture(sizes: [4, 6, 3], activations: [.sigmoid, .identity]), seed: 2)
    let sgd = SGD(parameterCount: model.parameterCount, learningRate: 0.1, momentum: 0.9)
    let x = Matrix(rows: 2, columns: 4, values: [0.1, 0.2, 0.3, 0.4, -1, 0, 1, 2])
    for _ in 0..<3 {
      model.zeroGradients()
      model.forward(x)
      _ = SoftmaxCrossEntropy.loss(logits: model.output, labels: [2, 0],
                                   gradient: model.outputGradient)
      model.backward()
      sgd.step(model)
    }
    return (model, sgd)
  }

  @Test func roundTripIsBitExact() throws {
    let (model, sgd) = try Self.trainedModel()
    let blob = Checkpoint(model: model, optimizer: sgd).serialized()
    #expect(blob.prefix(4) == Data("TRKM".utf8))
    let decoded = try Checkpoint(serialized: blob)
    #expect(decoded == Checkpoint(model: model, optimizer: sgd))
    let restored = try decoded.makeModel()
    #expect(restored.architecture == model.architecture)
    #expect(restored.parameters.array.map(\.bitPattern) == model.parameters.array.map(\.bitPattern))
    #expect(decoded.optimizerState == sgd.state)
    #expect(decoded.serialized() == blob)
    let weightsOnly = try Checkpoint(serialized: Checkpoint(model: model).serialized())
    #expect(weightsOnly.optimizerState == nil)
  }

  @Test func everyTruncationIsAnError() throws {
    let (model, sgd) = try Self.trainedModel()
    let blob = Checkpoint(model: model, optimizer: sgd).serialized()
    for length in 0..<blob.count {
      do {
        _ = try Checkpoint(serialized: blob.prefix(length))
        Issue.record("a checkpoint cut to \(length) of \(blob.count) bytes decoded")
      } catch let error as CheckpointError {
        #expect([.truncated, .checksumMismatch, .invalidContent].contains(error.code),
                "cut to \(length): \(error)")
      }
    }
  }

  @Test func flippedBitsAreDetected() throws {
    let (model, _) = try Self.trainedModel()
    let blob = Checkpoint(model: model).serialized()
    for offset in stride(from: 6, to: blob.count, by: 7) {
      var damaged = blob
      damaged[offset] ^= 0x10
      #expect(throws: CheckpointError.self, "bit flip at byte \(offset)") {
        try Checkpoint(serialized: damaged)
      }
    }
    var flippedParameter = blob
    flippedParameter[blob.count - 10] ^= 1
    let error = #expect(throws: CheckpointError.self) {
      try Checkpoint(serialized: flippedParameter)
    }
    #expect(error?.code == .checksumMismatch)
  }

  @Test func wrongMagicVersionAndTrailingBytesAreNamed() throws {
    let (model, _) = try Self.trainedModel()
    let blob = Checkpoint(model: model).serialized()
    let notACheckpoint = #expect(throws: CheckpointError.self) {
      try Checkpoint(serialized: Data("PK\u{3}\u{4}not a checkpoint".utf8))
    }
    #expect(notACheckpoint?.code == .badMagic)
    var future = blob
    future[4] = 9
    let version = #expect(throws: CheckpointError.self) { try Checkpoint(serialized: future) }
    #expect(version?.code == .unsupportedVersion)
    #expect(version?.message.contains("9") == true)
    var longer = blob.prefix(blob.count - 4)
    longer.append(contentsOf: [1, 2, 3])
    var writer = BinaryWriter()
    writer.data = longer
    writer.appendChecksum()
    let trailing = #expect(throws: CheckpointError.self) {
      try Checkpoint(serialized: writer.data)
    }
    #expect(trailing?.code == .invalidContent)
  }

  @Test func restoreRefusesADifferentArchitecture() throws {
    let (model, _) = try Self.trainedModel()
    let other = try MLP(architecture: Architecture(input: 4, hidden: [5], output: 3), seed: 1)
    #expect(throws: ModelError.self) { try Checkpoint(model: model).restore(into: other) }
    let same = try MLP(architecture: model.architecture, seed: 99)
    try Checkpoint(model: model).restore(into: same)
    #expect(same.parameters.array == model.parameters.array)
  }

  @Test func damagedOptimizerStateIsAnError() throws {
    let (_, sgd) = try Self.trainedModel()
    let blob = sgd.state.serialized()
    #expect(try OptimizerState(serialized: blob) == sgd.state)
    #expect(throws: CheckpointError.self) { try OptimizerState(serialized: blob.prefix(20)) }
    var damaged = blob
    damaged[30] ^= 0xFF
    #expect(throws: CheckpointError.self) { try OptimizerState(serialized: damaged) }
  }
}
