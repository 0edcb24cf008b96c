import Foundation
import Testing

@testable import Learning

/// An `MLP` with a convolutional stage (`Architecture.features`): the whole model by finite
/// differences, dropout only while training, checkpoints (format 2) and the spec's
/// `model.layers`.
struct ConvolutionalModelTests {
  static let shape = FeatureShape(channels: 1, height: 6, width: 6)

  static func architecture(_ features: [FeatureLayer]) throws -> Architecture {
    try Architecture(input: shape, features: features, hidden: [5], output: 3)
  }

  @Test func theWholeModelPassesFiniteDifferences() throws {
    let architecture = try ConvolutionalModelTests.architecture([
      .convolution(filters: 2, kernel: 3, stride: 1, padding: 1, activation: .tanh),
      .averagePool(size: 2, stride: 2),
      .convolution(filters: 3, kernel: 2, stride: 1, padding: 0, activation: .sigmoid),
    ])
    #expect(architecture.sizes == [3 * 2 * 2, 5, 3])
    let model = try MLP(architecture: architecture, seed: 4)
    #expect(model.parameterCount == 2 * 10 + 3 * 9 + 13 * 5 + 6 * 3)
    #expect(model.inputSize == 36)
    var random = SeededGenerator(seed: 9)
    let batch = 3
    let x = Matrix(rows: batch, columns: 36, values: (0..<(batch * 36)).map { _ in random.nextFloat(in: -1, 1) })
    let g = (0..<(batch * 3)).map { _ in random.nextFloat(in: -1, 1) }
    func loss() -> Double {
      let y = model.forward(x)
      return (0..<(batch * 3)).reduce(0.0) { $0 + Double(y.pointer[$1]) * Double(g[$1]) }
    }
    model.zeroGradients()
    _ = model.forward(x)
    model.outputGradient.pointer.update(from: g, count: g.count)
    model.backward()
    let analytic = model.gradients.array
    let h: Float = 1e-2
    var worst = 0.0
    for i in 0..<model.parameterCount {
      let saved = model.parameters[i]
      model.parameters[i] = saved + h
      let plus = loss()
      model.parameters[i] = saved - h
      let minus = loss()
      model.parameters[i] = saved
      let numeric = (plus - minus) / (2 * Double(h))
      worst = max(worst, abs(numeric - Double(analytic[i])) / max(1, abs(numeric)))
    }
    #expect(worst < 2e-3, "worst finite-difference error \(worst)")
  }

  @Test func dropoutDropsOnlyWhileTraining() throws {
    let model = try MLP(
      architecture: try ConvolutionalModelTests.architecture([.dropout(rate: 0.5)]), seed: 1)
    let x = Matrix(rows: 4, columns: 36, values: [Float](repeating: 1, count: 144))
    let evaluation = model.forward(x).pointer[0]
    #expect(model.forward(x).pointer[0] == evaluation, "evaluation is deterministic")
    model.isTraining = true
    let trained = (0..<8).map { _ in model.forward(x).pointer[0] }
    #expect(trained.contains { $0 != evaluation })
    #expect(model.copy().isTraining == false, "a copy (LwF's teacher) evaluates")
  }

  @Test func checkpointsKeepTheConvolutionalStage() throws {
    let architecture = try ConvolutionalModelTests.architecture([
      .convolution(filters: 2, kernel: 3, stride: 2, padding: 1, activation: .relu),
      .maxPool(size: 2, stride: 1), .dropout(rate: 0.25),
    ])
    let model = try MLP(architecture: architecture, seed: 2)
    let blob = Checkpoint(model: model).serialized()
    #expect(blob[4] == 2, "format version 2 with a convolutional stage")
    let restored = try Checkpoint(serialized: blob)
    #expect(restored.architecture == architecture)
    let copy = try restored.makeModel()
    let x = Matrix(rows: 2, columns: 36, values: (0..<72).map { Float($0) / 72 })
    #expect(copy.forward(x).array == model.forward(x).array)
    let plain = try MLP(architecture: Architecture(input: 4, hidden: [3], output: 2), seed: 1)
    #expect(Checkpoint(model: plain).serialized()[4] == 1, "a plain MLP stays version 1")
  }

  @Test func aLayerListBuildsTheModelAndItsParams() throws {
    let json = #"""
      {"data": {"source": "synthetic", "classes": 4, "features": 36, "samples_per_class": 8},
       "scenario": {"type": "class-incremental", "tasks": 2},
       "model": {"layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1},
                            {"type": "maxpool"}, {"type": "flatten"},
                            {"type": "dense", "units": 8, "activation": "tanh"}]},
       "training": {"epochs": 2, "batch_size": 8}, "strategy": {"type": "replay", "memory_size": 8}}
      """#
    let spec = try JSONDecoder().decode(ExperimentSpec.self, from: Data(json.utf8))
    try spec.validate()
    #expect(spec.flattenedParams["model.layers"] == "conv2d(4,k3,s1,p1),maxpool(2,s2),flatten,dense(8,tanh)")
    #expect(spec.flattenedParams["model.hidden"] == "8")
    let stream = try Scenario.makeStream(for: spec)
    let architecture = try ModelBuilder.architecture(for: spec.model, stream: stream)
    #expect(architecture.inputShape == FeatureShape(channels: 1, height: 6, width: 6))
    #expect(architecture.sizes == [4 * 3 * 3, 8, 4])
    #expect(architecture.activations == [.tanh, .identity])
    let result = try ContinualExperiment(spec: spec, recorder: InMemoryRecorder()).run()
    #expect(result.matrix.rows.count == 2)
  }

  @Test func layerListMistakesNameTheKey() throws {
    func key(_ model: String, data: String = #""source": "synthetic", "features": 36"#) -> String? {
      let json = "{\"data\": {\(data)}, \"model\": \(model)}"
      do {
        let spec = try JSONDecoder().decode(ExperimentSpec.self, from: Data(json.utf8))
        try spec.validate()
        let stream = try Scenario.makeStream(for: spec)
        _ = try ModelBuilder.architecture(for: spec.model, stream: stream)
        return nil
      } catch let LearningError.invalidSpec(key, _) {
        return key
      } catch {
        return "\(error)"
      }
    }
    #expect(key(#"{"hidden": [4], "layers": []}"#) == "model.hidden")
    #expect(key(#"{"layers": [{"type": "conv2d", "units": 3}]}"#) == "model.layers")
    #expect(key(#"{"layers": [{"type": "conv2d", "filters": 0}]}"#) == "model.layers")
    #expect(key(#"{"layers": [{"type": "dense", "units": 4}, {"type": "maxpool"}]}"#) == "model.layers")
    #expect(key(#"{"layers": [{"type": "dense", "units": 4}, {"type": "dropout"}]}"#) == "model.layers")
    #expect(key(#"{"layers": [{"type": "conv2d", "filters": 2, "kernel": 9}]}"#) == "model.layers")
    #expect(key(#"{"layers": [{"type": "pool"}]}"#) == "model.layers.type")
    #expect(key(#"{"layers": [{"type": "dense", "units": 4}]}"#) == nil)
  }
}
