import Foundation

/// Adam (Kingma & Ba, 2015) with bias correction, in PyTorch's formulation:
///
///     g ← ∇θ + λ θ
///     m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
///     θ ← θ − η / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
public final class Adam: Optimizer {
  /// Step size η.
  public var learningRate: Float
  /// Decay of the first moment.
  public let beta1: Float
  /// Decay of the second moment.
  public let beta2: Float
  /// Added to the denominator for stability.
  public let epsilon: Float
  /// L2 weight decay λ added to the gradient.
  public let weightDecay: Float
  /// Steps taken so far (t).
  public private(set) var stepCount = 0
  /// First moment m, in the layout of the parameters.
  public let firstMoment: Vector
  /// Second moment v, in the layout of the parameters.
  public let secondMoment: Vector

  /// Creates Adam for `parameterCount` parameters.
  public init(
    parameterCount: Int, learningRate: Float = 0.001, beta1: Float = 0.9,
    beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    firstMoment = Vector(count: parameterCount)
    secondMoment = Vector(count: parameterCount)
  }

  /// One Adam update.
  public func step(parameters: Vector, gradients: Vector) {
    precondition(parameters.count == gradients.count && parameters.count == firstMoment.count,
                 "Adam: built for \(firstMoment.count) parameters, got \(parameters.count)")
    stepCount += 1
    let t = Double(stepCount)
    let correction1 = 1 - pow(Double(beta1), t)
    let correction2 = 1 - pow(Double(beta2), t)
    let stepSize = Float(Double(learningRate) / correction1)
    let inverseRoot2 = Float(1 / correction2.squareRoot())
    let b1 = beta1, b2 = beta2, c1 = 1 - beta1, c2 = 1 - beta2, eps = epsilon
    let decay = weightDecay
    let theta = parameters.pointer, grad = gradients.pointer
    let m = firstMoment.pointer, v = secondMoment.pointer
    // Explicit SIMD4: written as a scalar loop, LLVM left this one unvectorized (measured).
    typealias F4 = SIMD4<Float>
    let n = parameters.count
    var i = 0
    while i + 4 <= n {
      let t = UnsafeMutableRawPointer(theta + i), g4 = UnsafeRawPointer(grad + i)
      let mp = UnsafeMutableRawPointer(m + i), vp = UnsafeMutableRawPointer(v + i)
      let th = t.loadUnaligned(as: F4.self)
      let g = g4.loadUnaligned(as: F4.self) + decay * th
      let mi = b1 * mp.loadUnaligned(as: F4.self) + c1 * g
      let vi = b2 * vp.loadUnaligned(as: F4.self) + c2 * (g * g)
      mp.storeBytes(of: mi, as: F4.self)
      vp.storeBytes(of: vi, as: F4.self)
      t.storeBytes(of: th - stepSize * (mi / (vi.squareRoot() * inverseRoot2 + eps)),
                   as: F4.self)
      i += 4
    }
    while i < n {
      let g = grad[i] + decay * theta[i]
      let mi = b1 * m[i] + c1 * g
      let vi = b2 * v[i] + c2 * (g * g)
      m[i] = mi
      v[i] = vi
      theta[i] = theta[i] - stepSize * (mi / (vi.squareRoot() * inverseRoot2 + eps))
      i += 1
    }
  }

  /// Step count and both moments.
  public var state: OptimizerState {
    OptimizerState(kind: .adam, stepCount: stepCount,
                   buffers: [firstMoment.array, secondMoment.array])
  }

  /// Restores step count and moments.
  public func restore(_ state: OptimizerState) throws {
    try state.check(kind: .adam, bufferCount: 2, parameterCount: firstMoment.count)
    stepCount = state.stepCount
    firstMoment.copy(from: state.buffers[0])
    secondMoment.copy(from: state.buffers[1])
  }

  /// Zeroes both moments and the step count.
  public func reset() {
    firstMoment.fill(0)
    secondMoment.fill(0)
    stepCount = 0
  }
}
