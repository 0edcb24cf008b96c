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
    // Float partial sums in blocks keep the loop vectorized; Double keeps the total exact.
    var total = 0.0
    var start = 0
    while start < n {
      let end = min(start + 1024, n)
      var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
      var i = start
      while i + 4 <= end {
        let d0 = y[i] - targets[i], d1 = y[i + 1] - targets[i + 1]
        let d2 = y[i + 2] - targets[i + 2], d3 = y[i + 3] - targets[i + 3]
        s0 = s0 + d0 * d0; s1 = s1 + d1 * d1; s2 = s2 + d2 * d2; s3 = s3 + d3 * d3
        i += 4
      }
      while i < end { let d = y[i] - targets[i]; s0 = s0 + d * d; i += 1 }
      total += Double(s0) + Double(s1) + Double(s2) + Double(s3)
      start = end
    }
    return Float(total / Double(n))
  }
}
