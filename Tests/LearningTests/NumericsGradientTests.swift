import Foundation
import Testing

@testable import Learning

/// Finite-difference checks: every layer and loss against an independent Double reference.
///
/// The analytic gradients come from the Float engine (BLAS, fused kernels); the numeric
/// ones from central differences of a plain Double re-implementation of the same maths,
/// evaluated at the same parameter values.
@Suite struct NumericsGradientTests {
  // MARK: Double reference

  static func activate(_ z: Double, _ activation: Activation) -> Double {
    switch activation {
    case .identity: return z
    case .relu: return max(0, z)
    case .tanh: return Foundation.tanh(z)
    case .sigmoid: return 1 / (1 + exp(-z))
    }
  }

  /// y = f(x·W + b) layer after layer, in Double.
  static func referenceForward(
    _ architecture: Architecture, _ theta: [Double], _ x: [Double], rows: Int
  ) -> [Double] {
    var a = x
    var offset = 0
    for l in 0..<(architecture.sizes.count - 1) {
      let n = architecture.sizes[l], m = architecture.sizes[l + 1]
      var out = [Double](repeating: 0, count: rows * m)
      for r in 0..<rows {
        for j in 0..<m {
          var z = theta[offset + n * m + j]
          for i in 0..<n { z += a[r * n + i] * theta[offset + i * m + j] }
          out[r * m + j] = activate(z, architecture.activations[l])
        }
      }
      offset += (n + 1) * m
      a = out
    }
    return a
  }

  static func referenceCrossEntropy(
    _ z: [Double], labels: [Int], classes: Int, allowed: [Bool]?
  ) -> Double {
    let rows = labels.count
    var total = 0.0
    for r in 0..<rows {
      func ok(_ c: Int) -> Bool {
        guard let allowed else { return true }
        return allowed.count == classes ? allowed[c] : allowed[r * classes + c]
      }
      let sum = (0..<classes).filter(ok).map { exp(z[r * classes + $0]) }.reduce(0, +)
      total += log(sum) - z[r * classes + labels[r]]
    }
    return total / Double(rows)
  }

  static func referenceMSE(_ y: [Double], _ t: [Double]) -> Double {
    zip(y, t).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(y.count)
  }

  static func referenceDistillation(
    _ s: [Double], _ t: [Double], classes: Int, temperature T: Double, allowed: [Bool]?
  ) -> Double {
    let rows = s.count / classes
    var total = 0.0
    for r in 0..<rows {
      let cs = (0..<classes).filter { allowed?[$0] ?? true }
      let zs = cs.map { s[r * classes + $0] / T }, zt = cs.map { t[r * classes + $0] / T }
      let ls = log(zs.map(exp).reduce(0, +)), lt = log(zt.map(exp).reduce(0, +))
      for k in 0..<cs.count {
        let logP = zt[k] - lt, logQ = zs[k] - ls
        total += exp(logP) * (logP - logQ)
      }
    }
    return T * T * total / Double(rows)
  }

  /// Central differences of `f` at `x` in Double.
  static func numericGradient(_ x: [Double], step: Double = 1e-5, _ f: ([Double]) -> Double)
    -> [Double]
  {
    var result = [Double](repeating: 0, count: x.count)
    var probe = x
    for i in 0..<x.count {
      probe[i] = x[i] + step
      let up = f(probe)
      probe[i] = x[i] - step
      let down = f(probe)
      probe[i] = x[i]
      result[i] = (up - down) / (2 * step)
    }
    return result
  }

  static func expectClose(
    _ analytic: [Float], _ numeric: [Double], tolerance: Double = 2e-3,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(analytic.count == numeric.count, sourceLocation: sourceLocation)
    var worst = 0.0
    for (a, n) in zip(analytic, numeric) {
      worst = max(worst, abs(Double(a) - n) / max(1, abs(n)))
    }
    #expect(worst < tolerance, "\(what): worst relative gradient error \(worst)",
            sourceLocation: sourceLocation)
  }

  static func randomValues(_ count: Int, _ random: inout SeededGenerator, scale: Float = 1)
    -> [Float]
  {
    (0..<count).map { _ in random.nextFloat(in: -scale, scale) }
  }

  // MARK: Layers

  /// Input widths 5 (the first layer runs on the narrow-input kernels when its activation
  /// is ReLU or identity) and 20 (BLAS), for every activation.
  @Test(arguments: Activation.allCases, [5, 20])
  func denseLayerGradientsMatchFiniteDifferences(_ activation: Activation, inputs: Int) throws {
    let architecture = Architecture(
      sizes: [inputs, 7, 6, 4], activations: [activation, activation, .identity])
    let model = try MLP(architecture: architecture, seed: 11)
    #expect(model.layers[0].usesNarrowKernels
              == (inputs <= 16 && (activation == .relu || activation == .identity)))
    var random = SeededGenerator(seed: 5)
    // Non-zero biases so ReLU units sit away from their kink in both signs.
    for i in 0..<model.parameterCount { model.parameters[i] += random.nextFloat(in: -0.1, 0.1) }
    let rows = 3
    let x = Self.randomValues(rows * inputs, &random)
    let labels = [1, 3, 0]
    model.zeroGradients()
    let logits = model.forward(Matrix(rows: rows, columns: inputs, values: x))
    let loss = SoftmaxCrossEntropy.loss(logits: logits, labels: labels,
                                        gradient: model.outputGradient)
    model.backward()
    let theta = model.parameters.array.map(Double.init)
    let xd = x.map(Double.init)
    let f = { (t: [Double]) in
      Self.referenceCrossEntropy(
        Self.referenceForward(architecture, t, xd, rows: rows), labels: labels, classes: 4,
        allowed: nil)
    }
    #expect(abs(Double(loss) - f(theta)) < 1e-5)
    Self.expectClose(model.gradients.array, Self.numericGradient(theta, f),
                     "\(activation) MLP parameters, \(inputs) inputs")
  }

  @Test func gradientsAccumulateAcrossBackwardPasses() throws {
    let model = try MLP(architecture: Architecture(input: 3, hidden: [4], output: 2), seed: 1)
    let x = Matrix(rows: 2, columns: 3, values: [0.1, -0.2, 0.3, 0.5, 0.4, -0.6])
    model.zeroGradients()
    model.forward(x)
    _ = SoftmaxCrossEntropy.loss(logits: model.output, labels: [0, 1],
                                 gradient: model.outputGradient)
    model.backward()
    let once = model.gradients.array
    model.forward(x)
    _ = SoftmaxCrossEntropy.loss(logits: model.output, labels: [0, 1],
                                 gradient: model.outputGradient, scale: 0.5)
    model.backward()
    for (twice, single) in zip(model.gradients.array, once) {
      #expect(abs(twice - 1.5 * single) <= 1e-6 * max(1, abs(single)))
    }
  }

  @Test func blockedBatchesMatchSeparateHalves() throws {
    // Width 4096 makes blocks of 16 rows, so a batch of 40 runs as 16 + 16 + 8.
    let model = try MLP(architecture: Architecture(input: 3, hidden: [4096], output: 2), seed: 3)
    #expect(model.blockRows == 16)
    var random = SeededGenerator(seed: 12)
    let x = Self.randomValues(40 * 3, &random)
    let labels = (0..<40).map { $0 % 2 }
    model.zeroGradients()
    let full = model.forward(Matrix(rows: 40, columns: 3, values: x)).array
    _ = SoftmaxCrossEntropy.loss(logits: model.output, labels: labels,
                                 gradient: model.outputGradient)
    model.backward()
    let fullGradient = model.gradients.array
    model.zeroGradients()
    var halves: [Float] = []
    for half in 0..<2 {
      let rows = Array(x[(half * 60)..<(half * 60 + 60)])
      halves += model.forward(Matrix(rows: 20, columns: 3, values: rows)).array
      _ = SoftmaxCrossEntropy.loss(logits: model.output,
                                   labels: Array(labels[(half * 20)..<(half * 20 + 20)]),
                                   gradient: model.outputGradient, scale: 0.5)
      model.backward()
    }
    #expect(zip(full, halves).allSatisfy { abs($0 - $1) <= 1e-5 })
    Self.expectClose(fullGradient, model.gradients.array.map(Double.init), tolerance: 1e-4,
                     "blocked vs halves")
  }

  // MARK: Losses

  @Test(arguments: [false, true])
  func softmaxCrossEntropyGradientMatchesFiniteDifferences(perRowMask: Bool) {
    var random = SeededGenerator(seed: 9)
    let rows = 4, classes = 5
    let z = Self.randomValues(rows * classes, &random, scale: 3)
    let labels = [1, 2, 1, 3]
    let shared = [false, true, true, true, false]
    var mask: [Bool] = shared
    if perRowMask {
      mask = (0..<rows).flatMap { r in (0..<classes).map { c in c == labels[r] || c == r } }
    }
    let logits = Matrix(rows: rows, columns: classes, values: z)
    let gradient = Matrix(rows: rows, columns: classes)
    let loss = SoftmaxCrossEntropy.loss(logits: logits, labels: labels, allowed: mask,
                                        gradient: gradient, scale: 2)
    let f = { (v: [Double]) in
      Self.referenceCrossEntropy(v, labels: labels, classes: classes, allowed: mask)
    }
    let zd = z.map(Double.init)
    #expect(abs(Double(loss) - f(zd)) < 1e-5)
    Self.expectClose(gradient.array, Self.numericGradient(zd, f).map { 2 * $0 },
                     "masked softmax cross-entropy")
    for r in 0..<rows {
      for c in 0..<classes {
        let allowed = perRowMask ? mask[r * classes + c] : shared[c]
        if !allowed { #expect(gradient[r, c] == 0) }
      }
    }
  }

  @Test func softmaxCrossEntropyIsStableForHugeLogits() {
    let logits = Matrix(rows: 1, columns: 3, values: [1000, -1000, 999])
    let gradient = Matrix(rows: 1, columns: 3)
    let loss = SoftmaxCrossEntropy.loss(logits: logits, labels: [2], gradient: gradient)
    #expect(abs(Double(loss) - log(1 + exp(-1.0) + 0) - 1) < 1e-4)
    #expect(gradient.array.allSatisfy { $0.isFinite })
  }

  @Test func meanSquaredErrorGradientMatchesFiniteDifferences() throws {
    // Through a sigmoid output layer, so the sigmoid backward is checked at the output too.
    let architecture = Architecture(sizes: [3, 5, 2], activations: [.tanh, .sigmoid])
    let model = try MLP(architecture: architecture, seed: 4)
    var random = SeededGenerator(seed: 6)
    let rows = 4
    let x = Self.randomValues(rows * 3, &random)
    let targets = Self.randomValues(rows * 2, &random)
    model.zeroGradients()
    let y = model.forward(Matrix(rows: rows, columns: 3, values: x))
    let loss = MeanSquaredError.loss(predictions: y, targets: targets,
                                     gradient: model.outputGradient)
    model.backward()
    let xd = x.map(Double.init), td = targets.map(Double.init)
    let f = { (t: [Double]) in
      Self.referenceMSE(Self.referenceForward(architecture, t, xd, rows: rows), td)
    }
    let theta = model.parameters.array.map(Double.init)
    #expect(abs(Double(loss) - f(theta)) < 1e-6)
    Self.expectClose(model.gradients.array, Self.numericGradient(theta, f), "MSE via sigmoid")
  }

  @Test func singleOutputRegressionGradientMatchesFiniteDifferences() throws {
    // One output column: the products go through sgemv and the k = 1 outer product.
    let architecture = Architecture(input: 4, hidden: [8], output: 1)
    let model = try MLP(architecture: architecture, seed: 10)
    var random = SeededGenerator(seed: 13)
    for i in 0..<model.parameterCount { model.parameters[i] += random.nextFloat(in: -0.1, 0.1) }
    let rows = 6
    let x = Self.randomValues(rows * 4, &random)
    let targets = Self.randomValues(rows, &random)
    model.zeroGradients()
    let y = model.forward(Matrix(rows: rows, columns: 4, values: x))
    _ = MeanSquaredError.loss(predictions: y, targets: targets, gradient: model.outputGradient)
    model.backward()
    let xd = x.map(Double.init), td = targets.map(Double.init)
    let f = { (t: [Double]) in
      Self.referenceMSE(Self.referenceForward(architecture, t, xd, rows: rows), td)
    }
    Self.expectClose(model.gradients.array,
                     Self.numericGradient(model.parameters.array.map(Double.init), f),
                     "10->64->1 shape")
  }

  @Test(arguments: [1.0, 2.0, 4.0])
  func distillationGradientMatchesFiniteDifferences(temperature: Double) {
    var random = SeededGenerator(seed: UInt64(temperature * 10))
    let rows = 3, classes = 4
    let s = Self.randomValues(rows * classes, &random, scale: 3)
    let t = Self.randomValues(rows * classes, &random, scale: 3)
    let mask = [true, true, false, true]
    let gradient = Matrix(rows: rows, columns: classes)
    let loss = Distillation.loss(
      studentLogits: Matrix(rows: rows, columns: classes, values: s),
      teacherLogits: Matrix(rows: rows, columns: classes, values: t),
      temperature: Float(temperature), allowed: mask, gradient: gradient)
    let td = t.map(Double.init)
    let f = { (v: [Double]) in
      Self.referenceDistillation(v, td, classes: classes, temperature: temperature,
                                 allowed: mask)
    }
    let sd = s.map(Double.init)
    #expect(abs(Double(loss) - f(sd)) < 1e-5)
    Self.expectClose(gradient.array, Self.numericGradient(sd, f), "distillation T=\(temperature)")
    #expect((0..<rows).allSatisfy { gradient[$0, 2] == 0 })
  }

  @Test func distillationOfIdenticalLogitsIsZero() {
    let z = Matrix(rows: 2, columns: 3, values: [1, 2, 3, -1, 0, 4])
    let gradient = Matrix(rows: 2, columns: 3)
    let loss = Distillation.loss(studentLogits: z, teacherLogits: z, temperature: 2,
                                 gradient: gradient)
    #expect(abs(loss) < 1e-6)
    #expect(gradient.array.allSatisfy { abs($0) < 1e-6 })
  }
}
