import Foundation
import Testing

@testable import Learning

/// End-to-end training checks: the engine learns XOR and two spirals, deterministically.
@Suite struct NumericsTrainingTests {
  @Test func learnsXORToFullAccuracy() throws {
    let inputs: [Float] = [0, 0, 0, 1, 1, 0, 1, 1]
    let labels = [0, 1, 1, 0]
    let model = try MLP(
      architecture: Architecture(input: 2, hidden: [8], output: 2, activation: .tanh), seed: 7)
    let optimizer = Adam(parameterCount: model.parameterCount, learningRate: 0.05)
    let x = Matrix(rows: 4, columns: 2, values: inputs)
    var loss: Float = 0
    for _ in 0..<300 {
      model.zeroGradients()
      let logits = model.forward(x)
      loss = SoftmaxCrossEntropy.loss(logits: logits, labels: labels,
                                      gradient: model.outputGradient)
      model.backward()
      optimizer.step(model)
    }
    #expect(loss < 0.05)
    let accuracy = inputs.withUnsafeBufferPointer {
      model.accuracy(inputs: $0.baseAddress!, labels: labels, count: 4)
    }
    #expect(accuracy == 1)
  }

  /// Two interleaved spirals (Lang & Witbrock, 1988), 2 × `perClass` points.
  static func spirals(perClass: Int, seed: UInt64) -> (inputs: [Float], labels: [Int]) {
    var random = SeededGenerator(seed: seed)
    var inputs: [Float] = []
    var labels: [Int] = []
    for i in 0..<perClass {
      let t = 0.25 + 2.75 * Double(i) / Double(perClass)  // up to ~1.4 turns
      let radius = t  // up to ~3: unit-scale features for tanh
      for label in 0..<2 {
        let angle = t * 2 * Double.pi / 2 + Double(label) * Double.pi
        let noise = Double(random.nextFloat(in: -0.02, 0.02))
        inputs.append(Float(radius * cos(angle) + noise))
        inputs.append(Float(radius * sin(angle) + noise))
        labels.append(label)
      }
    }
    return (inputs, labels)
  }

  @Test func learnsTwoSpiralsAbove95Percent() throws {
    let train = Self.spirals(perClass: 200, seed: 1)
    let test = Self.spirals(perClass: 100, seed: 2)
    let model = try MLP(
      architecture: Architecture(input: 2, hidden: [32, 32], output: 2, activation: .tanh),
      seed: 3)
    let optimizer = Adam(parameterCount: model.parameterCount, learningRate: 0.01)
    var random = SeededGenerator(seed: 4)
    var order = Array(0..<train.labels.count)
    let batch = Matrix(rows: 0, columns: 2, rowCapacity: 50)
    var batchLabels = [Int](repeating: 0, count: 50)
    for _ in 0..<300 {
      random.shuffle(&order)
      for start in stride(from: 0, to: order.count, by: 50) {
        batch.setRows(50)
        for (k, index) in order[start..<start + 50].enumerated() {
          batch[k, 0] = train.inputs[2 * index]
          batch[k, 1] = train.inputs[2 * index + 1]
          batchLabels[k] = train.labels[index]
        }
        model.zeroGradients()
        let logits = model.forward(batch)
        _ = SoftmaxCrossEntropy.loss(logits: logits, labels: batchLabels,
                                     gradient: model.outputGradient)
        model.backward()
        optimizer.step(model)
      }
    }
    let accuracy = test.inputs.withUnsafeBufferPointer {
      model.accuracy(inputs: $0.baseAddress!, labels: test.labels, count: test.labels.count)
    }
    #expect(accuracy > 0.95, "two-spirals test accuracy \(accuracy)")
  }
}
