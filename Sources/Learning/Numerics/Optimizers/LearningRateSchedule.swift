import Foundation

/// How the learning rate changes over time (the caller picks the unit: epochs or steps).
///
/// ```swift
/// let schedule = LearningRateSchedule.cosine(period: epochs, minimum: 0)
/// optimizer.learningRate = schedule.rate(base: 0.1, at: epoch)
/// ```
public enum LearningRateSchedule: Sendable, Equatable {
  /// Always the base rate.
  case constant
  /// base · gamma^⌊t / stepSize⌋ (PyTorch `StepLR`).
  case step(stepSize: Int, gamma: Float)
  /// minimum + (base − minimum) · (1 + cos(π · min(t, period) / period)) / 2
  /// (PyTorch `CosineAnnealingLR` without restarts).
  case cosine(period: Int, minimum: Float)

  /// The rate at time `t` (0-based) for base rate `base`.
  public func rate(base: Float, at t: Int) -> Float {
    switch self {
    case .constant:
      return base
    case .step(let stepSize, let gamma):
      return base * Float(pow(Double(gamma), Double(max(t, 0) / max(stepSize, 1))))
    case .cosine(let period, let minimum):
      let progress = Double(min(max(t, 0), max(period, 1))) / Double(max(period, 1))
      return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
    }
  }
}
