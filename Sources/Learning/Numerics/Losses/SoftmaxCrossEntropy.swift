import Foundation

/// Softmax followed by cross-entropy, fused so it is stable and its gradient is exact.
///
/// L = (1/B) Σ_b −log softmax(z_b)[y_b], where the softmax runs only over the *allowed*
/// classes when a mask is given (task-incremental heads): masked classes get probability 0
/// and gradient 0. The gradient dL/dz = (softmax(z) − onehot(y)) / B is computed from
/// z − max(z), so no exponential overflows.
///
/// `allowed` is either one mask of `classes` flags shared by every row, or `rows × classes`
/// flags, one mask per row (a replay batch mixing samples of several task heads).
public enum SoftmaxCrossEntropy {
  /// Mean loss over the rows of `logits`; writes `scale` × dL/dz into `gradient` when given.
  public static func loss(
    logits: Matrix, labels: [Int], allowed: [Bool]? = nil, gradient: Matrix? = nil,
    scale: Float = 1
  ) -> Float {
    precondition(labels.count >= logits.rows,
                 "SoftmaxCrossEntropy: \(logits.rows) rows but \(labels.count) labels")
    return labels.withUnsafeBufferPointer { labelBuffer in
      withMask(allowed, rows: logits.rows, columns: logits.columns) { mask, stride in
        loss(logits: logits, labels: labelBuffer.baseAddress!, mask: mask, maskStride: stride,
             gradient: gradient, scale: scale)
      }
    }
  }

  static func loss(
    logits: Matrix, labels: UnsafePointer<Int>, mask: UnsafePointer<Bool>?, maskStride: Int,
    gradient: Matrix?, scale: Float
  ) -> Float {
    let rows = logits.rows, classes = logits.columns
    if let gradient {
      precondition(gradient.columns == classes && gradient.rowCapacity >= rows,
                   "SoftmaxCrossEntropy: gradient shape does not match the logits")
      gradient.setRows(rows)
    }
    guard rows > 0 else { return 0 }
    let factor = scale / Float(rows)
    var total = 0.0
    for r in 0..<rows {
      let z = logits.pointer + r * classes
      let m = mask.map { $0 + r * maskStride }
      let label = labels[r]
      precondition(label >= 0 && label < classes && (m?[label] ?? true),
                   "SoftmaxCrossEntropy: label \(label) of row \(r) is not an allowed class")
      var maximum = -Float.infinity
      for c in 0..<classes where m?[c] ?? true { maximum = max(maximum, z[c]) }
      var sum: Float = 0
      for c in 0..<classes where m?[c] ?? true { sum += expf(z[c] - maximum) }
      let logSum = logf(sum)
      total += Double(logSum - (z[label] - maximum))
      if let gradient {
        let g = gradient.pointer + r * classes
        let inverse = 1 / sum
        for c in 0..<classes {
          if m?[c] ?? true {
            g[c] = factor * (expf(z[c] - maximum) * inverse - (c == label ? 1 : 0))
          } else {
            g[c] = 0
          }
        }
      }
    }
    return Float(total / Double(rows))
  }

  /// Calls `body` with the mask's base pointer and its per-row stride (0 = shared mask).
  static func withMask<R>(
    _ allowed: [Bool]?, rows: Int, columns: Int,
    _ body: (UnsafePointer<Bool>?, Int) -> R
  ) -> R {
    guard let allowed else { return body(nil, 0) }
    let perRow = allowed.count != columns
    precondition(allowed.count == columns || allowed.count >= rows * columns,
                 "class mask has \(allowed.count) flags; expected \(columns) "
                   + "or \(rows) × \(columns)")
    return allowed.withUnsafeBufferPointer { body($0.baseAddress!, perRow ? columns : 0) }
  }
}
