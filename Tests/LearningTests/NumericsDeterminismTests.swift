import Foundation
import Testing

@testable import Learning

/// Seeds fix everything; the training step reuses its buffers.
@Suite struct NumericsDeterminismTests {
  static func train(seed: UInt64, steps: Int) throws -> [Float] {
    let model = try MLP(architecture: Architecture(input: 6, hidden: [16, 8], output: 3),
                        seed: seed)
    let adam = Adam(parameterCount: model.parameterCount, learningRate: 0.01)
    var random = SeededGenerator(seed: seed &+ 1)
    let x = Matrix(rows: 32, columns: 6,
                   values: (0..<(32 * 6)).map { _ in random.nextFloat(in: -1, 1) })
    var labels = (0..<32).map { $0 % 3 }
    for _ in 0..<steps {
      random.shuffle(&labels)
      model.zeroGradients()
      model.forward(x)
      _ = SoftmaxCrossEntropy.loss(logits: model.output, labels: labels,
                                   gradient: model.outputGradient)
      model.backward()
      adam.step(model)
    }
    return model.parameters.array
  }

  @Test func sameSeedGivesBitIdenticalWeights() throws {
    let a = try Self.train(seed: 42, steps: 20), b = try Self.train(seed: 42, steps: 20)
    #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    let c = try Self.train(seed: 43, steps: 20)
    #expect(a != c)
    let initial1 = try MLP(architecture: Architecture(input: 3, hidden: [4], output: 2), seed: 5)
    let initial2 = try MLP(architecture: Architecture(input: 3, hidden: [4], output: 2), seed: 5)
    #expect(initial1.parameters.array == initial2.parameters.array)
  }

  @Test func generatorIsReproducibleAndUniform() {
    var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
    let first = (0..<100).map { _ in a.next() }
    #expect(first == (0..<100).map { _ in b.next() })
    #expect(SeededGenerator(state: a.state) == a)
    var counts = [Int](repeating: 0, count: 10)
    var sum = 0.0
    for _ in 0..<10_000 {
      counts[a.nextInt(below: 10)] += 1
      sum += Double(a.nextGaussian())
    }
    #expect(counts.allSatisfy { $0 > 900 && $0 < 1100 })
    #expect(abs(sum / 10_000) < 0.05)
    var items = Array(0..<50)
    a.shuffle(&items)
    #expect(items.sorted() == Array(0..<50) && items != Array(0..<50))
  }

  @Test func heInitialisationHasTheRightSpread() throws {
    let model = try MLP(architecture: Architecture(input: 200, hidden: [300], output: 2),
                        seed: 8)
    let w = model.weights(ofLayer: 0).array
    let variance = w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)
    #expect(abs(variance - 2.0 / 200) < 0.001)
    #expect(model.biases(ofLayer: 0).array.allSatisfy { $0 == 0 })
    // Glorot-uniform output layer: |w| ≤ √(6 / (300 + 2)).
    let limit = Float((6.0 / 302).squareRoot())
    #expect(model.weights(ofLayer: 1).array.allSatisfy { abs($0) <= limit })
  }

  @Test func trainingStepReusesItsWorkspaces() throws {
    let model = try MLP(architecture: Architecture(input: 4, hidden: [8], output: 3), seed: 1)
    model.reserve(batchSize: 16)
    let x = Matrix(rows: 16, columns: 4, values: (0..<64).map { Float($0) / 64 })
    let labels = (0..<16).map { $0 % 3 }
    model.forward(x)
    let output = model.output.pointer, gradient = model.outputGradient.pointer
    for rows in [16, 5, 16] {
      x.setRows(rows)
      model.zeroGradients()
      model.forward(x)
      _ = SoftmaxCrossEntropy.loss(logits: model.output, labels: labels,
                                   gradient: model.outputGradient)
      model.backward()
      #expect(model.output.pointer == output && model.outputGradient.pointer == gradient)
      #expect(model.output.rows == rows)
    }
    #expect(Int(bitPattern: output) % Vector.alignment == 0)
  }

  @Test func vectorOperationsAgreeWithTheirDefinitions() {
    let a = Vector([1, 2, 3, 4, 5]), b = Vector([2, 0, -1, 1, 0.5])
    let expectedDot: Float = 5.5
    #expect(a.dot(b) == expectedDot)
    #expect(a.squaredNorm() == 55)
    #expect(abs(a.norm() - Float(55).squareRoot()) < 1e-6)
    let expectedDistance: Float = 50.25  // 1 + 4 + 16 + 9 + 20.25
    #expect(a.squaredDistance(to: b) == expectedDistance)
    let w = Vector([1, 0, 2, 0, 1])
    let expectedWeighted: Float = 53.25  // 1 + 2·16 + 20.25
    #expect(a.weightedSquaredDistance(to: b, weights: w) == expectedWeighted)
    let c = Vector(count: 5)
    c.addWeightedDifference(2, weights: w, a, minus: b)
    #expect(c.array == [-2, 0, 16, 0, 9])
    c.axpy(0.5, a)
    #expect(c.array == [-1.5, 1, 17.5, 2, 11.5])
    c.addSquares(of: b, scaledBy: 2)
    #expect(c.array == [6.5, 1, 19.5, 4, 12])
    c.scale(by: 2)
    #expect(c.array == [13, 2, 39, 8, 24])
    let long = Vector((0..<1000).map { _ in 1 })
    #expect(long.dot(long) == 1000)
    // Long vectors against a Double reference (exercises the blocked, vectorized paths).
    var random = SeededGenerator(seed: 21)
    let n = 1003
    let x = (0..<n).map { _ in random.nextFloat(in: -1, 1) }
    let y = (0..<n).map { _ in random.nextFloat(in: -1, 1) }
    let f = (0..<n).map { _ in random.nextFloat() }
    let (vx, vy, vf) = (Vector(x), Vector(y), Vector(f))
    var dot = 0.0, distance = 0.0, weighted = 0.0
    for i in 0..<n {
      let a = Double(x[i]), b = Double(y[i])
      dot += a * b
      distance += (a - b) * (a - b)
      weighted += Double(f[i]) * (a - b) * (a - b)
    }
    #expect(abs(Double(vx.dot(vy)) - dot) < 1e-4)
    #expect(abs(Double(vx.squaredDistance(to: vy)) - distance) < 1e-3)
    #expect(abs(Double(vx.weightedSquaredDistance(to: vy, weights: vf)) - weighted) < 1e-3)
  }
}
