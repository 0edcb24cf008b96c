import Foundation
import Testing

@testable import Learning

/// The narrow-input dense kernels (`CKernels`, ≤ 16 inputs, ReLU or identity) against
/// a plain Double layer: every input width, output widths that exercise the 64-column
/// blocks, single 8-column vectors and the scalar tail, and row counts around the backward
/// pass's 64-row blocks.
@Suite struct NumericsNarrowKernelTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let inputs: Int, outputs: Int, rows: Int, activation: Activation
    var testDescription: String { "\(inputs)->\(outputs) \(activation), \(rows) rows" }
  }

  static let cases: [Case] = {
    var cases: [Case] = []
    for inputs in [1, 3, 10, 16] {
      for outputs in [7, 8, 64, 76, 136] {
        for activation in [Activation.relu, .identity] {
          cases.append(Case(inputs: inputs, outputs: outputs, rows: inputs == 10 ? 130 : 65,
                            activation: activation))
        }
      }
    }
    return cases
  }()

  @Test(arguments: cases)
  func forwardAndBackwardMatchADoubleLayer(_ c: Case) {
    let layer = Dense(inputSize: c.inputs, outputSize: c.outputs, activation: c.activation,
                      weightOffset: 0)
    #expect(layer.usesNarrowKernels)
    var random = SeededGenerator(seed: UInt64(c.inputs * 1000 + c.outputs + c.rows))
    let parameters = Vector((0..<layer.parameterCount).map { _ in random.nextFloat(in: -1, 1) })
    let x = (0..<(c.rows * c.inputs)).map { _ in random.nextFloat(in: -1, 1) }
    let g = (0..<(c.rows * c.outputs)).map { _ in random.nextFloat(in: -1, 1) }
    let start = (0..<layer.parameterCount).map { _ in random.nextFloat(in: -1, 1) }
    let gradients = Vector(start)  // backward adds to what is there
    let y = Vector(count: c.rows * c.outputs)
    let gradOutput = Vector(g)
    x.withUnsafeBufferPointer { xp in
      layer.forward(input: xp.baseAddress!, output: y.pointer, batch: c.rows,
                    parameters: parameters.pointer)
      layer.backward(
        input: xp.baseAddress!, output: y.pointer, gradOutput: gradOutput.pointer,
        gradInput: nil, batch: c.rows, parameters: parameters.pointer,
        gradients: gradients.pointer)
    }
    // Double reference.
    let w = parameters.array.map(Double.init)
    var expectedY = [Double](repeating: 0, count: c.rows * c.outputs)
    var expectedGradients = start.map(Double.init)
    for r in 0..<c.rows {
      for j in 0..<c.outputs {
        var z = w[layer.biasOffset + j]
        for i in 0..<c.inputs { z += Double(x[r * c.inputs + i]) * w[i * c.outputs + j] }
        let out = c.activation == .relu ? max(0, z) : z
        expectedY[r * c.outputs + j] = out
        let dz = c.activation == .relu && out <= 0 ? 0 : Double(g[r * c.outputs + j])
        expectedGradients[layer.biasOffset + j] += dz
        for i in 0..<c.inputs {
          expectedGradients[i * c.outputs + j] += Double(x[r * c.inputs + i]) * dz
        }
      }
    }
    let forwardError = zip(y.array, expectedY).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(forwardError < 1e-5, "forward error \(forwardError)")
    let backwardError = zip(gradients.array, expectedGradients).map { abs(Double($0) - $1) }
      .max() ?? 0
    #expect(backwardError < 1e-4 * Double(c.rows), "backward error \(backwardError)")
    #expect(gradOutput.array == g, "dL/dy must be left as it was")
  }

  @Test func twoThreadsGiveTheSameBitsAsOne() {
    // Forward shares rows, backward shares columns: every element is computed by the same
    // code in the same order whichever thread runs it.
    let layer = Dense(inputSize: 10, outputSize: 64, activation: .relu, weightOffset: 0)
    let rows = 1000
    #expect(rows * 10 * 64 >= BLAS.parallelMinimumWork, "large enough to be shared")
    var random = SeededGenerator(seed: 99)
    let parameters = Vector((0..<layer.parameterCount).map { _ in random.nextFloat(in: -1, 1) })
    let x = (0..<(rows * 10)).map { _ in random.nextFloat(in: -1, 1) }
    let g = (0..<(rows * 64)).map { _ in random.nextFloat(in: -1, 1) }
    func run(threads: Int) -> (output: [Float], gradients: [Float]) {
      let y = Vector(count: rows * 64)
      let gradients = Vector(count: layer.parameterCount)
      let gradOutput = Vector(g)
      x.withUnsafeBufferPointer { xp in
        layer.forward(input: xp.baseAddress!, output: y.pointer, batch: rows,
                      parameters: parameters.pointer, threads: threads)
        layer.backward(
          input: xp.baseAddress!, output: y.pointer, gradOutput: gradOutput.pointer,
          gradInput: nil, batch: rows, parameters: parameters.pointer,
          gradients: gradients.pointer, threads: threads)
      }
      return (y.array, gradients.array)
    }
    let one = run(threads: 1), two = run(threads: 2)
    let sameOutput = one.output == two.output, sameGradients = one.gradients == two.gradients
    #expect(sameOutput)
    #expect(sameGradients)
  }

  @Test func nanInTheInputReachesTheOutputAndTheGradients() {
    // A diverging run must show NaN, not a ReLU that quietly turns it into zero.
    let layer = Dense(inputSize: 4, outputSize: 64, activation: .relu, weightOffset: 0)
    let parameters = Vector([Float](repeating: 0.5, count: layer.parameterCount))
    let x: [Float] = [1, .nan, 1, 1]
    let y = Vector(count: 64)
    let gradients = Vector(count: layer.parameterCount)
    let g = Vector([Float](repeating: 1, count: 64))
    x.withUnsafeBufferPointer { xp in
      layer.forward(input: xp.baseAddress!, output: y.pointer, batch: 1,
                    parameters: parameters.pointer)
      layer.backward(input: xp.baseAddress!, output: y.pointer, gradOutput: g.pointer,
                     gradInput: nil, batch: 1, parameters: parameters.pointer,
                     gradients: gradients.pointer)
    }
    #expect(y.array.allSatisfy { $0.isNaN })
    #expect(gradients[layer.biasOffset] == 1, "NaN outputs keep their gradient")
    #expect(gradients[1 * 64].isNaN, "the NaN input's weight gradient is NaN")
  }
}
