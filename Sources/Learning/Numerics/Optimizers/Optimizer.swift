/// Updates a model's parameters from its accumulated gradients.
///
/// State buffers (momentum, Adam moments) have the layout of `MLP.parameters`, so an
/// optimizer works on any flat parameter/gradient pair. Gradients are read, not cleared:
/// call `model.zeroGradients()` before accumulating the next step.
public protocol Optimizer: AnyObject {
  /// Step size used by the next `step`; a schedule sets it (e.g. once per epoch).
  var learningRate: Float { get set }
  /// Number of steps taken so far.
  var stepCount: Int { get }
  /// θ ← update(θ, ∇θ) for `parameters` with `gradients` of the same count.
  func step(parameters: Vector, gradients: Vector)
  /// The state (step count and buffers) to save with a checkpoint.
  var state: OptimizerState { get }
  /// Restores a state saved by the same kind of optimizer for the same parameter count.
  func restore(_ state: OptimizerState) throws
  /// Forgets all state (zero buffers, step count 0).
  func reset()
}

extension Optimizer {
  /// One update of `model.parameters` from `model.gradients`.
  public func step(_ model: MLP) { step(parameters: model.parameters, gradients: model.gradients) }
}
