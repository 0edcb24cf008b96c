import Foundation

/// Naive fine-tuning: the loss of the current batch only (the lower bound).
final class NaiveStrategy: Strategy {
  func step(_ batch: Batch, context: StrategyContext) throws -> BatchOutcome {
    context.accumulateLoss(batch)
  }
}
