import CKernels
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

/// Every version of the narrow kernels (portable, AVX2, AVX-512: `narrow_isa`) on this CPU,
/// called directly: each against a Double layer and by finite differences, and AVX2 against
/// AVX-512 bit for bit (they sum in the same order with the same fused multiply-adds).
@Suite struct NarrowKernelVersionTests {
  static let versions: [narrow_isa] = [narrow_isa_portable, narrow_isa_avx2, narrow_isa_avx512]
    .filter { narrow_isa_supported($0) != 0 }

  struct Layer {
    let inputs: Int, outputs: Int, rows: Int, relu: Bool
    var x: [Float], w: [Float], b: [Float], g: [Float]

    init(inputs: Int, outputs: Int, rows: Int, relu: Bool, seed: UInt64) {
      (self.inputs, self.outputs, self.rows, self.relu) = (inputs, outputs, rows, relu)
      var random = SeededGenerator(seed: seed)
      x = (0..<(rows * inputs)).map { _ in random.nextFloat(in: -1, 1) }
      w = (0..<(inputs * outputs)).map { _ in random.nextFloat(in: -1, 1) }
      b = (0..<outputs).map { _ in random.nextFloat(in: -1, 1) }
      g = (0..<(rows * outputs)).map { _ in random.nextFloat(in: -1, 1) }
    }

    func forward(_ isa: narrow_isa) -> [Float] {
      var y = [Float](repeating: 0, count: rows * outputs)
      narrow_dense_forward_with(isa, x, rows, inputs, w, b, outputs, &y, relu ? 1 : 0)
      return y
    }

    /// dL/dW and dL/db for L = Σ g·y.
    func backward(_ isa: narrow_isa) -> (dw: [Float], db: [Float]) {
      let y = forward(isa)
      var dw = [Float](repeating: 0, count: inputs * outputs)
      var db = [Float](repeating: 0, count: outputs)
      narrow_dense_backward_with(
        isa, x, rows, inputs, g, y, outputs, outputs, relu ? 1 : 0, &dw, &db)
      return (dw, db)
    }

    /// Σ g·y in Double, from the kernel's own forward pass.
    func loss(_ isa: narrow_isa) -> Double {
      zip(forward(isa), g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
  }

  static let shapes: [(Int, Int)] = [(1, 7), (3, 16), (10, 64), (10, 76), (16, 33), (16, 136)]

  @Test(arguments: versions)
  func everyVersionMatchesADoubleLayer(_ isa: narrow_isa) {
    for (inputs, outputs) in NarrowKernelVersionTests.shapes {
      let layer = Layer(inputs: inputs, outputs: outputs, rows: 67, relu: true, seed: 5)
      let y = layer.forward(isa)
      let (dw, db) = layer.backward(isa)
      var forwardError = 0.0, backwardError = 0.0
      var expectedW = [Double](repeating: 0, count: inputs * outputs)
      var expectedB = [Double](repeating: 0, count: outputs)
      for r in 0..<layer.rows {
        for c in 0..<outputs {
          var z = Double(layer.b[c])
          for p in 0..<inputs { z += Double(layer.x[r * inputs + p]) * Double(layer.w[p * outputs + c]) }
          let out = max(0, z)
          forwardError = max(forwardError, abs(out - Double(y[r * outputs + c])))
          let d = out <= 0 ? 0 : Double(layer.g[r * outputs + c])
          expectedB[c] += d
          for p in 0..<inputs { expectedW[p * outputs + c] += Double(layer.x[r * inputs + p]) * d }
        }
      }
      for i in expectedW.indices { backwardError = max(backwardError, abs(expectedW[i] - Double(dw[i]))) }
      for i in expectedB.indices { backwardError = max(backwardError, abs(expectedB[i] - Double(db[i]))) }
      #expect(forwardError < 1e-5, "\(isa) \(inputs)->\(outputs): forward error \(forwardError)")
      #expect(backwardError < 1e-4, "\(isa) \(inputs)->\(outputs): backward error \(backwardError)")
    }
  }

  @Test(arguments: versions)
  func everyVersionPassesFiniteDifferences(_ isa: narrow_isa) {
    for relu in [false, true] {
      let layer = Layer(inputs: 10, outputs: 20, rows: 12, relu: relu, seed: 11)
      let (dw, db) = layer.backward(isa)
      let h: Float = 1e-2
      var worst = 0.0
      func check(_ analytic: Float, _ bump: (inout Layer, Float) -> Void) {
        var plus = layer, minus = layer
        bump(&plus, h)
        bump(&minus, -h)
        let numeric = (plus.loss(isa) - minus.loss(isa)) / (2 * Double(h))
        worst = max(worst, abs(numeric - Double(analytic)))
      }
      // ReLU is piecewise linear: skip weights whose bump moves a pre-activation across 0.
      let z = (0..<(layer.rows * layer.outputs)).map { i -> Double in
        let r = i / layer.outputs, c = i % layer.outputs
        var s = Double(layer.b[c])
        for p in 0..<layer.inputs { s += Double(layer.x[r * layer.inputs + p]) * Double(layer.w[p * layer.outputs + c]) }
        return s
      }
      func nearKink(column c: Int) -> Bool {
        relu && (0..<layer.rows).contains { abs(z[$0 * layer.outputs + c]) < 0.05 }
      }
      for c in 0..<layer.outputs where !nearKink(column: c) {
        check(db[c]) { $0.b[c] += $1 }
        for p in 0..<layer.inputs { check(dw[p * layer.outputs + c]) { $0.w[p * $0.outputs + c] += $1 } }
      }
      #expect(worst < 2e-3, "\(isa) relu \(relu): worst finite-difference error \(worst)")
    }
  }

  /// Skipped (not failed) on a CPU without AVX-512, such as the AMD EPYC machines here.
  @Test(.enabled(if: narrow_isa_supported(narrow_isa_avx512) != 0, "this CPU has no AVX-512"))
  func avx2AndAVX512GiveTheSameBits() throws {
    for (inputs, outputs) in NarrowKernelVersionTests.shapes {
      for rows in [1, 5, 64, 130] {
        let layer = Layer(inputs: inputs, outputs: outputs, rows: rows, relu: true, seed: 3)
        #expect(layer.forward(narrow_isa_avx2) == layer.forward(narrow_isa_avx512),
                "\(inputs)->\(outputs), \(rows) rows")
        let two = layer.backward(narrow_isa_avx2), five = layer.backward(narrow_isa_avx512)
        #expect(two.dw == five.dw && two.db == five.db, "\(inputs)->\(outputs), \(rows) rows")
      }
    }
  }

  @Test func theWidestVersionRunsByDefault() {
    #expect(NarrowKernelVersionTests.versions.last == narrow_kernels_isa())
    #expect(MachineInfo.narrowKernels == ["portable", "AVX2+FMA", "AVX-512"][Int(narrow_kernels_isa().rawValue)])
  }
}
