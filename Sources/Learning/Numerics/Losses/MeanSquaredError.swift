/// Mean squared error L = (1/(B·K)) Σ (y − t)² over all B × K outputs (PyTorch's default
/// `reduction="mean"`), with dL/dy = 2 (y − t) / (B·K).
public enum MeanSquaredError {
  /// Mean loss of `predictions` against row-major `targets` (same count); writes
  /// `scale` × dL/dy into `gradient` when given.
  public static func loss(
    predictions: Matrix, targets: [Float], gradient: Matrix? = nil, scale: Float = 1
  ) -> Float {
    precondition(targets.count >= predictions.count,
                 "MeanSquaredError: \(predictions.count) predictions, \(targets.count) targets")
    return targets.withUnsafeBufferPointer {
      loss(predictions: predictions, targets: $0.baseAddress!, gradient: gradient, scale: scale)
    }
  }

  /// Mean loss of `predictions` against a target matrix of the same shape.
  public static func loss(
    predictions: Matrix, targets: Matrix, gradient: Matrix? = nil, scale: Float = 1
  ) -> Float {
    precondition(targets.rows == predictions.rows && targets.columns == predictions.columns,
                 "MeanSquaredError: target shape differs from the predictions")
    return loss(predictions: predictions, targets: targets.pointer, gradient: gradient,
                scale: scale)
  }

  /// Mean loss against `predictions.count` row-major targets at `targets`.
  public static func loss(
    predictions: Matrix, targets: UnsafePointer<Float>, gradient: Matrix? = nil,
    scale: Float = 1
  ) -> Float {
    let n = predictions.count
    guard n > 0 else { return 0 }
    let y = predictions.pointer
    let factor = 2 * scale / Float(n)
    if let gradient {
      precondition(gradient.columns == predictions.columns
                     && gradient.rowCapacity >= predictions.rows,
                   "MeanSquaredError: gradient shape does not match the predictions")
      gradient.setRows(predictions.rows)
      let g = gradient.pointer
      for i in 0..<n { g[i] = factor * (y[i] - targets[i]) }
    }
    let total = Vector.blockedSum(n, block: 1024) { i in
      let d = y[i] - targets[i]
      return d * d
    }
    return Float(total / Double(n))
  }
}
