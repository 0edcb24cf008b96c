/// Turning logits into class decisions and scores, for evaluation.
public enum Prediction {
  /// The allowed class with the largest logit in each row, written to `classes[0..<rows]`
  /// (`classes` must have room). Ties go to the lowest class index. `allowed` is a shared
  /// or per-row mask as in `SoftmaxCrossEntropy`.
  public static func classes(logits: Matrix, allowed: [Bool]? = nil, into classes: inout [Int]) {
    precondition(classes.count >= logits.rows,
                 "Prediction.classes: room for \(classes.count) of \(logits.rows) rows")
    let columns = logits.columns
    SoftmaxCrossEntropy.withMask(allowed, rows: logits.rows, columns: columns) { mask, stride in
      for r in 0..<logits.rows {
        classes[r] = bestClass(
          logits.pointer + r * columns, columns: columns, allowed: mask.map { $0 + r * stride })
      }
    }
  }

  /// The predicted classes of every row (allocates the result).
  public static func classes(logits: Matrix, allowed: [Bool]? = nil) -> [Int] {
    var result = [Int](repeating: 0, count: logits.rows)
    classes(logits: logits, allowed: allowed, into: &result)
    return result
  }

  /// How many rows' predicted class equals `labels[row]`.
  public static func correctCount(logits: Matrix, labels: [Int], allowed: [Bool]? = nil) -> Int {
    precondition(labels.count >= logits.rows,
                 "Prediction.correctCount: \(logits.rows) rows but \(labels.count) labels")
    let columns = logits.columns
    return SoftmaxCrossEntropy.withMask(allowed, rows: logits.rows, columns: columns) {
      mask, stride in
      var correct = 0
      for r in 0..<logits.rows {
        let best = bestClass(
          logits.pointer + r * columns, columns: columns, allowed: mask.map { $0 + r * stride })
        if best == labels[r] { correct += 1 }
      }
      return correct
    }
  }

  /// The allowed column with the largest logit in one row (the lowest index on ties; −1
  /// when no column is allowed).
  @inline(__always)
  private static func bestClass(
    _ z: UnsafePointer<Float>, columns: Int, allowed m: UnsafePointer<Bool>?
  ) -> Int {
    var best = -1
    var bestValue = -Float.infinity
    for c in 0..<columns where (m?[c] ?? true) && (best < 0 || z[c] > bestValue) {
      best = c
      bestValue = z[c]
    }
    return best
  }
}

extension MLP {
  /// Classification accuracy in [0, 1] over `count` rows at `inputs` (row-major,
  /// `inputSize` floats each) with `labels`, evaluated `batchSize` rows at a time.
  /// `allowed` is one mask shared by all rows (task-incremental evaluation) or nil.
  public func accuracy(
    inputs: UnsafePointer<Float>, labels: [Int], count: Int, batchSize: Int = 256,
    allowed: [Bool]? = nil
  ) -> Double {
    precondition(labels.count >= count, "accuracy: \(count) rows but \(labels.count) labels")
    guard count > 0 else { return 0 }
    var correct = 0
    var start = 0
    while start < count {
      let rows = min(batchSize, count - start)
      let logits = forward(inputs + start * inputSize, batchSize: rows)
      correct += Prediction.correctCount(
        logits: logits, labels: Array(labels[start..<start + rows]), allowed: allowed)
      start += rows
    }
    return Double(correct) / Double(count)
  }

  /// Mean squared error over `count` rows at `inputs` against row-major `targets`
  /// (`outputSize` per row), evaluated `batchSize` rows at a time.
  public func meanSquaredError(
    inputs: UnsafePointer<Float>, targets: [Float], count: Int, batchSize: Int = 256
  ) -> Double {
    precondition(targets.count >= count * outputSize,
                 "meanSquaredError: \(count) rows need \(count * outputSize) targets")
    guard count > 0 else { return 0 }
    var total = 0.0
    var start = 0
    targets.withUnsafeBufferPointer { t in
      while start < count {
        let rows = min(batchSize, count - start)
        let predictions = forward(inputs + start * inputSize, batchSize: rows)
        let loss = MeanSquaredError.loss(
          predictions: predictions, targets: t.baseAddress! + start * outputSize)
        total += Double(loss) * Double(rows)
        start += rows
      }
    }
    return total / Double(count)
  }
}
