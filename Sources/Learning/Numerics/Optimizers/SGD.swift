/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight
/// decay, with PyTorch's update rule (dampening 0):
///
///     g ← ∇θ + λ θ
///     v ← μ v + g                       (when μ > 0)
///     d ← g + μ v  (Nesterov)  or  v
///     θ ← θ − η d
public final class SGD: Optimizer {
  /// Step size η.
  public var learningRate: Float
  /// Momentum μ (0 = plain SGD).
  public let momentum: Float
  /// Whether to use Nesterov momentum.
  public let nesterov: Bool
  /// L2 weight decay λ added to the gradient.
  public let weightDecay: Float
  /// Steps taken so far.
  public private(set) var stepCount = 0
  /// Momentum buffer v, in the layout of the parameters (empty when μ = 0).
  public let velocity: Vector

  /// Creates SGD for `parameterCount` parameters.
  public init(
    parameterCount: Int, learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
    weightDecay: Float = 0
  ) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
    velocity = Vector(count: momentum > 0 ? parameterCount : 0)
  }

  /// One SGD update.
  public func step(parameters: Vector, gradients: Vector) {
    precondition(parameters.count == gradients.count, "SGD: parameter/gradient counts differ")
    let n = parameters.count
    let theta = parameters.pointer, grad = gradients.pointer
    let lr = learningRate, decay = weightDecay, mu = momentum
    stepCount += 1
    if mu == 0 {
      for i in 0..<n { theta[i] = theta[i] - lr * (grad[i] + decay * theta[i]) }
      return
    }
    precondition(velocity.count == n, "SGD: built for \(velocity.count) parameters, got \(n)")
    let v = velocity.pointer
    if nesterov {
      for i in 0..<n {
        let g = grad[i] + decay * theta[i]
        let vi = mu * v[i] + g
        v[i] = vi
        theta[i] = theta[i] - lr * (g + mu * vi)
      }
    } else {
      for i in 0..<n {
        let vi = mu * v[i] + (grad[i] + decay * theta[i])
        v[i] = vi
        theta[i] = theta[i] - lr * vi
      }
    }
  }

  /// Step count and the momentum buffer.
  public var state: OptimizerState {
    OptimizerState(kind: .sgd, stepCount: stepCount,
                   buffers: velocity.count > 0 ? [velocity.array] : [])
  }

  /// Restores step count and momentum.
  public func restore(_ state: OptimizerState) throws {
    try state.check(kind: .sgd, bufferCount: velocity.count > 0 ? 1 : 0,
                    parameterCount: velocity.count)
    stepCount = state.stepCount
    if velocity.count > 0 { velocity.copy(from: state.buffers[0]) }
  }

  /// Zeroes the momentum and the step count.
  public func reset() {
    velocity.fill(0)
    stepCount = 0
  }
}
