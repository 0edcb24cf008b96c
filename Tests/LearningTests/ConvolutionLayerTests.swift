import Foundation
import Testing

@testable import Learning

/// The convolutional layer kinds (Conv2D with stride and padding, max and average pooling,
/// dropout): forward against a plain Double definition, backward by finite differences of
/// the layer's own forward pass (L = Σ G ⊙ y for a random G, summed in Double).
@Suite struct ConvolutionLayerTests {
  /// Central differences of `loss` at each of `values`' entries, against `analytic`.
  static func worstFiniteDifference(
    _ values: inout [Float], analytic: [Float], h: Float = 1e-2, skip: (Int) -> Bool = { _ in false },
    loss: ([Float]) -> Double
  ) -> Double {
    var worst = 0.0
    for i in values.indices where !skip(i) {
      let saved = values[i]
      values[i] = saved + h
      let plus = loss(values)
      values[i] = saved - h
      let minus = loss(values)
      values[i] = saved
      let numeric = (plus - minus) / (2 * Double(h))
      worst = max(worst, abs(numeric - Double(analytic[i])) / max(1, abs(numeric)))
    }
    return worst
  }

  static func random(_ count: Int, _ random: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in random.nextFloat(in: -1, 1) }
  }

  struct ConvCase: CustomTestStringConvertible, Sendable {
    let channels: Int, size: Int, filters: Int, kernel: Int, stride: Int, padding: Int
    let activation: Activation
    var testDescription: String {
      "\(channels)×\(size)×\(size) → \(filters) \(kernel)×\(kernel) s\(stride) p\(padding) \(activation)"
    }
  }

  static let convCases = [
    ConvCase(channels: 1, size: 6, filters: 3, kernel: 3, stride: 1, padding: 0, activation: .identity),
    ConvCase(channels: 2, size: 7, filters: 4, kernel: 3, stride: 2, padding: 1, activation: .tanh),
    ConvCase(channels: 3, size: 5, filters: 2, kernel: 2, stride: 1, padding: 2, activation: .identity),
    ConvCase(channels: 2, size: 8, filters: 3, kernel: 5, stride: 3, padding: 1, activation: .sigmoid),
  ]

  /// Direct convolution in Double, as its definition reads.
  static func referenceConvolution(
    _ layer: Conv2D, x: [Float], parameters: [Float], batch: Int
  ) -> [Double] {
    let (c, h, w) = (layer.input.channels, layer.input.height, layer.input.width)
    let out = layer.output
    var y = [Double](repeating: 0, count: batch * out.count)
    for n in 0..<batch {
      for f in 0..<layer.filters {
        for oy in 0..<out.height {
          for ox in 0..<out.width {
            var z = Double(parameters[layer.biasOffset + f])
            for ch in 0..<c {
              for i in 0..<layer.kernel {
                for j in 0..<layer.kernel {
                  let iy = oy * layer.stride - layer.padding + i
                  let ix = ox * layer.stride - layer.padding + j
                  guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                  let weight = parameters[layer.weightOffset + f * layer.patchSize
                    + (ch * layer.kernel + i) * layer.kernel + j]
                  z += Double(weight) * Double(x[n * layer.input.count + (ch * h + iy) * w + ix])
                }
              }
            }
            y[n * out.count + (f * out.height + oy) * out.width + ox] =
              NumericsGradientTests.activate(z, layer.activation)
          }
        }
      }
    }
    return y
  }

  @Test(arguments: convCases)
  func convolutionMatchesItsDefinitionAndFiniteDifferences(_ c: ConvCase) throws {
    let layer = try Conv2D(
      input: FeatureShape(channels: c.channels, height: c.size, width: c.size), filters: c.filters,
      kernel: c.kernel, stride: c.stride, padding: c.padding, activation: c.activation,
      weightOffset: 3)  // not at 0: offsets must be honoured
    let batch = 2
    var generator = SeededGenerator(seed: UInt64(c.size * 31 + c.kernel))
    var parameters = ConvolutionLayerTests.random(layer.parameterCount + 5, &generator)
    var x = ConvolutionLayerTests.random(batch * layer.input.count, &generator)
    let g = ConvolutionLayerTests.random(batch * layer.output.count, &generator)
    var workspace = [Float](repeating: 0, count: layer.workspaceCount)

    func forward(_ x: [Float], _ parameters: [Float]) -> [Float] {
      var y = [Float](repeating: 0, count: batch * layer.output.count)
      layer.forward(input: x, output: &y, batch: batch, parameters: parameters,
                    workspace: &workspace)
      return y
    }
    func loss(_ x: [Float], _ parameters: [Float]) -> Double {
      zip(forward(x, parameters), g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let y = forward(x, parameters)
    let expected = ConvolutionLayerTests.referenceConvolution(
      layer, x: x, parameters: parameters, batch: batch)
    let forwardError = zip(y, expected).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(forwardError < 1e-5, "forward error \(forwardError)")

    var gradients = [Float](repeating: 0, count: parameters.count)
    var dx = [Float](repeating: 0, count: x.count)
    var dz = g
    layer.backward(
      input: x, output: y, gradOutput: &dz, gradInput: &dx, batch: batch,
      parameters: parameters, gradients: &gradients, workspace: &workspace)
    #expect(gradients[0..<3].allSatisfy { $0 == 0 } && gradients.suffix(2).allSatisfy { $0 == 0 },
            "only the layer's own parameters get gradients")
    let parameterError = ConvolutionLayerTests.worstFiniteDifference(
      &parameters, analytic: gradients, skip: { $0 < 3 || $0 >= 3 + layer.parameterCount }
    ) { loss(x, $0) }
    let inputError = ConvolutionLayerTests.worstFiniteDifference(&x, analytic: dx) {
      loss($0, parameters)
    }
    #expect(parameterError < 2e-3, "dW, db finite-difference error \(parameterError)")
    #expect(inputError < 2e-3, "dx finite-difference error \(inputError)")
  }

  @Test func convolutionRefusesAKernelLargerThanThePaddedInput() {
    let shape = FeatureShape(channels: 1, height: 4, width: 4)
    #expect(throws: ModelError.self) {
      try Conv2D(input: shape, filters: 2, kernel: 7, padding: 1, weightOffset: 0)
    }
    #expect(throws: ModelError.self) {
      try Conv2D(input: shape, filters: 2, kernel: 3, stride: 0, weightOffset: 0)
    }
    let fits = try? Conv2D(input: shape, filters: 2, kernel: 6, padding: 1, weightOffset: 0)
    #expect(fits?.output == FeatureShape(channels: 2, height: 1, width: 1))
  }

  @Test(arguments: Pooling2D.Kind.allCases)
  func poolingMatchesItsDefinitionAndFiniteDifferences(_ kind: Pooling2D.Kind) throws {
    for (size, stride) in [(2, 2), (3, 2), (2, 1)] {
      let layer = try Pooling2D(kind, input: FeatureShape(channels: 2, height: 7, width: 6),
                                size: size, stride: stride)
      let batch = 2
      // Distinct values 0.01 apart: no window's maximum changes under a 0.001 bump.
      var generator = SeededGenerator(seed: UInt64(size * 10 + stride))
      var order = Array(0..<(batch * layer.input.count))
      generator.shuffle(&order)
      var x = order.map { Float($0) * 0.01 - 0.5 }
      let g = ConvolutionLayerTests.random(batch * layer.output.count, &generator)
      var argmax = [Int32](repeating: 0, count: batch * layer.output.count)
      func forward(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: batch * layer.output.count)
        layer.forward(input: x, output: &y, batch: batch, argmax: &argmax)
        return y
      }
      let y = forward(x)
      for n in 0..<batch {
        for c in 0..<2 {
          for oy in 0..<layer.output.height {
            for ox in 0..<layer.output.width {
              var window: [Float] = []
              for i in 0..<size {
                for j in 0..<size {
                  window.append(x[n * 84 + c * 42 + (oy * stride + i) * 6 + ox * stride + j])
                }
              }
              let expected = kind == .max ? window.max()! : window.reduce(0, +) / Float(window.count)
              let got = y[n * layer.output.count + (c * layer.output.height + oy) * layer.output.width + ox]
              #expect(abs(got - expected) < 1e-6)
            }
          }
        }
      }
      var dx = [Float](repeating: 0, count: x.count)
      _ = forward(x)
      layer.backward(gradOutput: g, gradInput: &dx, batch: batch, argmax: argmax)
      let error = ConvolutionLayerTests.worstFiniteDifference(&x, analytic: dx, h: 1e-3) {
        zip(forward($0), g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      }
      #expect(error < 2e-3, "\(kind) \(size)/\(stride): finite-difference error \(error)")
    }
  }

  /// 2 × 2 windows by 2 on planes wide enough for the eight-window path, with ties and NaN:
  /// the same values and indices as the definition (first maximum; NaN wins).
  @Test func maxPoolingOfPairsMatchesTheDefinitionWithTiesAndNaN() throws {
    let input = FeatureShape(channels: 3, height: 6, width: 37)
    let layer = try Pooling2D(.max, input: input, size: 2, stride: 2)
    let batch = 2
    var generator = SeededGenerator(seed: 21)
    var x = (0..<(batch * input.count)).map { _ in Float(Int(generator.nextFloat() * 4)) }
    x[5] = .nan
    x[input.count + 2 * 37 + 17] = .nan
    var y = [Float](repeating: 0, count: batch * layer.output.count)
    var argmax = [Int32](repeating: 0, count: y.count)
    layer.forward(input: x, output: &y, batch: batch, argmax: &argmax)
    for n in 0..<batch {
      for c in 0..<3 {
        for oy in 0..<3 {
          for ox in 0..<18 {
            var best = c * 222 + 2 * oy * 37 + 2 * ox
            for (i, j) in [(0, 1), (1, 0), (1, 1)] {
              let index = c * 222 + (2 * oy + i) * 37 + 2 * ox + j
              let v = x[n * input.count + index], value = x[n * input.count + best]
              if !value.isNaN && (v > value || v.isNaN) { best = index }
            }
            let o = n * layer.output.count + c * 54 + oy * 18 + ox
            #expect(argmax[o] == Int32(best), "sample \(n) plane \(c) window \(oy),\(ox)")
            let expected = x[n * input.count + best]
            #expect(y[o] == expected || (y[o].isNaN && expected.isNaN))
          }
        }
      }
    }
  }

  @Test func dropoutScalesWhatItKeepsAndPassesFiniteDifferences() throws {
    let layer = try Dropout(rate: 0.25, size: 50)
    let batch = 40
    var generator = SeededGenerator(seed: 8)
    var x = ConvolutionLayerTests.random(batch * 50, &generator)
    let g = ConvolutionLayerTests.random(batch * 50, &generator)
    var mask = [Float](repeating: 0, count: batch * 50)
    func forward(_ x: [Float], training: Bool = true) -> [Float] {
      var random = SeededGenerator(seed: 42)  // the same mask every call
      var y = [Float](repeating: 0, count: x.count)
      layer.forward(input: x, output: &y, batch: batch, training: training, mask: &mask,
                    random: &random)
      return y
    }
    let y = forward(x)
    let dropped = y.filter { $0 == 0 }.count
    #expect(abs(Double(dropped) / Double(y.count) - 0.25) < 0.03, "dropped \(dropped)")
    for i in y.indices where y[i] != 0 { #expect(abs(y[i] - x[i] / 0.75) < 1e-6) }
    #expect(forward(x, training: false) == x, "evaluation is the identity")
    var dx = [Float](repeating: 0, count: x.count)
    _ = forward(x)
    layer.backward(gradOutput: g, gradInput: &dx, batch: batch, training: true, mask: mask)
    let error = ConvolutionLayerTests.worstFiniteDifference(&x, analytic: dx) {
      zip(forward($0), g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    #expect(error < 1e-3, "finite-difference error \(error)")
    #expect(throws: ModelError.self) { try Dropout(rate: 1, size: 4) }
  }
}
