import Foundation
import Testing

@testable import Learning

/// Optimizer steps and schedules against values worked out by hand.
@Suite struct NumericsOptimizerTests {
  static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
  }

  @Test func sgdWithMomentumAndWeightDecayMatchesHandComputation() {
    // g' = g + 0.01θ; v = 0.9v + g'; θ -= 0.1v.
    // Step 1: g' = [0.51, 0.23], v = g', θ = [0.949, -2.023].
    // Step 2: g' = [0.50949, 0.22977], v = [0.96849, 0.43677], θ = [0.852151, -2.066677].
    let theta = Vector([1, -2]), grad = Vector([0.5, 0.25])
    let sgd = SGD(parameterCount: 2, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
    sgd.step(parameters: theta, gradients: grad)
    #expect(Self.close(theta.array, [0.949, -2.023]))
    sgd.step(parameters: theta, gradients: grad)
    #expect(Self.close(theta.array, [0.852151, -2.066677]))
    #expect(Self.close(sgd.velocity.array, [0.96849, 0.43677]))
    #expect(sgd.stepCount == 2)
  }

  @Test func nesterovSGDMatchesHandComputation() {
    // v = 0.9v + g; θ -= 0.1 (g + 0.9v).
    // Step 1: v = g, d = 1.9g = [0.95, 0.475], θ = [0.905, -2.0475].
    // Step 2: v = 1.9g, d = g + 1.71g = 2.71g = [1.355, 0.6775], θ = [0.7695, -2.11525].
    let theta = Vector([1, -2]), grad = Vector([0.5, 0.25])
    let sgd = SGD(parameterCount: 2, learningRate: 0.1, momentum: 0.9, nesterov: true)
    sgd.step(parameters: theta, gradients: grad)
    #expect(Self.close(theta.array, [0.905, -2.0475]))
    sgd.step(parameters: theta, gradients: grad)
    #expect(Self.close(theta.array, [0.7695, -2.11525]))
  }

  @Test func plainSGDIsGradientDescent() {
    let theta = Vector([3, 4]), grad = Vector([1, -2])
    SGD(parameterCount: 2, learningRate: 0.5).step(parameters: theta, gradients: grad)
    #expect(theta.array == [2.5, 5])
  }

  @Test func adamMatchesHandComputedBiasCorrectedSteps() {
    // Step 1 (g = 0.5): m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25,
    //   θ = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002.
    // Step 2 (g = −0.25): m = 0.02, v = 0.00031225, m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999,
    //   θ = 0.9 − 0.1·m̂/(√v̂ + 1e-8) = 0.8733662967.
    let theta = Vector([1]), grad = Vector([0.5])
    let adam = Adam(parameterCount: 1, learningRate: 0.1)
    adam.step(parameters: theta, gradients: grad)
    #expect(abs(theta[0] - 0.9) < 1e-6)
    grad[0] = -0.25
    adam.step(parameters: theta, gradients: grad)
    #expect(abs(theta[0] - 0.8733663) < 1e-6)
    #expect(abs(adam.firstMoment[0] - 0.02) < 1e-7)
    #expect(abs(adam.secondMoment[0] - 0.00031225) < 3e-8)  // Float: 1 − 0.999 is inexact
  }

  @Test func adamVectorPathMatchesTheFormulaElementwise() {
    // 11 parameters: two SIMD blocks of 4 and a scalar tail of 3, with weight decay.
    let count = 11
    let theta = Vector((0..<count).map { Float($0) * 0.1 - 0.5 })
    let adam = Adam(parameterCount: count, learningRate: 0.05, weightDecay: 0.1)
    var reference = theta.array.map(Double.init)
    var m = [Double](repeating: 0, count: count), v = m
    for t in 1...3 {
      let grad = Vector((0..<count).map { Float(($0 * 7 + t * 3) % 5) * 0.2 - 0.4 })
      adam.step(parameters: theta, gradients: grad)
      for i in 0..<count {
        let g = Double(grad[i]) + 0.1 * reference[i]
        m[i] = 0.9 * m[i] + 0.1 * g
        v[i] = 0.999 * v[i] + 0.001 * g * g
        let mHat = m[i] / (1 - pow(0.9, Double(t))), vHat = v[i] / (1 - pow(0.999, Double(t)))
        reference[i] -= 0.05 * mHat / (vHat.squareRoot() + 1e-8)
      }
    }
    for i in 0..<count { #expect(abs(Double(theta[i]) - reference[i]) < 1e-5, "element \(i)") }
  }

  @Test func optimizerStateRestoresTheTrajectory() throws {
    let grad = Vector([0.3, -0.1, 0.2])
    let a = Vector([1, 2, 3]), b = Vector([1, 2, 3])
    let first = Adam(parameterCount: 3, learningRate: 0.05)
    for _ in 0..<3 { first.step(parameters: a, gradients: grad) }
    let second = Adam(parameterCount: 3, learningRate: 0.05)
    let state = try OptimizerState(serialized: first.state.serialized())
    try second.restore(state)
    b.copy(from: a)
    first.step(parameters: a, gradients: grad)
    second.step(parameters: b, gradients: grad)
    #expect(a.array == b.array)
    #expect(throws: ModelError.self) { try SGD(parameterCount: 3, learningRate: 1, momentum: 0.9)
      .restore(state) }
  }

  @Test func schedulesFollowTheirFormulas() {
    #expect(LearningRateSchedule.constant.rate(base: 0.1, at: 50) == 0.1)
    let step = LearningRateSchedule.step(stepSize: 10, gamma: 0.5)
    #expect(step.rate(base: 0.1, at: 9) == 0.1)
    #expect(abs(step.rate(base: 0.1, at: 25) - 0.025) < 1e-8)
    let cosine = LearningRateSchedule.cosine(period: 10, minimum: 0)
    #expect(cosine.rate(base: 0.1, at: 0) == 0.1)
    #expect(abs(cosine.rate(base: 0.1, at: 3) - 0.0793893) < 1e-6)
    #expect(abs(cosine.rate(base: 0.1, at: 10)) < 1e-8)
    #expect(abs(cosine.rate(base: 0.1, at: 20)) < 1e-8)
  }
}
