import Foundation

/// Learning without Forgetting (Li & Hoiem, 2016): the model before the task is kept as a
/// teacher; each batch adds α × the distillation loss (temperature T) between the student's
/// and the teacher's outputs on the classes of earlier tasks.
final class LwFStrategy: Strategy {
  private let spec: StrategySpec
  private var teacher: MLP?
  private var oldOutputs: [Bool]?

  init(spec: StrategySpec) { self.spec = spec }

  func beginTask(_ task: Int, context: StrategyContext) throws {
    guard task > 1 else { return }
    teacher = context.model.copy()
    let earlier = context.stream.tasks.prefix(task - 1)
    let classes = Set(earlier.flatMap(\.description.classes))
    oldOutputs = classes.isEmpty ? nil : (0..<context.stream.outputSize).map { classes.contains($0) }
  }

  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    guard let teacher, spec.alpha > 0 else { return context.accumulateLoss(batch) }
    let target = teacher.forward(batch.inputs)
    let alpha = Float(spec.alpha)
    if context.stream.isRegression {
      return context.accumulateLoss(batch) { output, gradient in
        alpha * MeanSquaredError.loss(
          predictions: output, targets: target, gradient: gradient, scale: alpha)
      }
    }
    let mask = oldOutputs
    let temperature = Float(spec.temperature)
    return context.accumulateLoss(batch) { output, gradient in
      alpha * Distillation.loss(
        studentLogits: output, teacherLogits: target, temperature: temperature, allowed: mask,
        gradient: gradient, scale: alpha)
    }
  }
}
