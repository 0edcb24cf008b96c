import Foundation

/// Knowledge distillation at temperature T (Hinton et al., 2015), as Learning without
/// Forgetting (Li & Hoiem, 2016) uses it to keep old heads' answers.
///
/// With p = softmax(t/T) from the teacher's logits t and q = softmax(s/T) from the
/// student's logits s: L = T² · (1/B) Σ_b KL(p_b ‖ q_b), and dL/ds = T · (q − p) / B.
/// The T² keeps the gradient's size independent of T. An optional class mask (shared, or
/// one per row, as in `SoftmaxCrossEntropy`) restricts both softmaxes to the old classes.
public enum Distillation {
  /// Mean KL loss; writes `scale` × dL/d(student logits) into `gradient` when given.
  public static func loss(
    studentLogits: Matrix, teacherLogits: Matrix, temperature: Float,
    allowed: [Bool]? = nil, gradient: Matrix? = nil, scale: Float = 1
  ) -> Float {
    precondition(studentLogits.rows == teacherLogits.rows
                   && studentLogits.columns == teacherLogits.columns,
                 "Distillation: student and teacher logits differ in shape")
    precondition(temperature > 0, "Distillation: temperature must be > 0, got \(temperature)")
    return SoftmaxCrossEntropy.withMask(
      allowed, rows: studentLogits.rows, columns: studentLogits.columns
    ) { mask, stride in
      loss(student: studentLogits, teacher: teacherLogits, temperature: temperature,
           mask: mask, maskStride: stride, gradient: gradient, scale: scale)
    }
  }

  static func loss(
    student: Matrix, teacher: Matrix, temperature: Float, mask: UnsafePointer<Bool>?,
    maskStride: Int, gradient: Matrix?, scale: Float
  ) -> Float {
    let rows = student.rows, classes = student.columns
    if let gradient {
      precondition(gradient.columns == classes && gradient.rowCapacity >= rows,
                   "Distillation: gradient shape does not match the logits")
      gradient.setRows(rows)
    }
    guard rows > 0 else { return 0 }
    let inverseT = 1 / temperature
    let factor = scale * temperature / Float(rows)
    var total = 0.0
    for r in 0..<rows {
      let s = student.pointer + r * classes, t = teacher.pointer + r * classes
      let m = mask.map { $0 + r * maskStride }
      var maxS = -Float.infinity, maxT = -Float.infinity
      for c in 0..<classes where m?[c] ?? true {
        maxS = max(maxS, s[c] * inverseT)
        maxT = max(maxT, t[c] * inverseT)
      }
      var sumS: Float = 0, sumT: Float = 0
      for c in 0..<classes where m?[c] ?? true {
        sumS += expf(s[c] * inverseT - maxS)
        sumT += expf(t[c] * inverseT - maxT)
      }
      let logSumS = logf(sumS), logSumT = logf(sumT)
      var kl = 0.0
      for c in 0..<classes {
        guard m?[c] ?? true else {
          gradient?.pointer[r * classes + c] = 0
          continue
        }
        let logP = t[c] * inverseT - maxT - logSumT
        let logQ = s[c] * inverseT - maxS - logSumS
        let p = expf(logP)
        kl += Double(p * (logP - logQ))
        gradient?.pointer[r * classes + c] = factor * (expf(logQ) - p)
      }
      total += kl
    }
    return Float(total * Double(temperature * temperature) / Double(rows))
  }
}
