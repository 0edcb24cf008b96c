/// Inverted dropout: while training, each value is kept with probability 1 − `rate` and
/// scaled by 1 / (1 − rate), else set to 0, so evaluation (where it is the identity) needs no
/// rescaling. The mask comes from the caller's seeded generator: the same seed, the same run.
public struct Dropout: Sendable, Equatable {
  /// Share of the values dropped while training, in [0, 1).
  public let rate: Float
  /// Values per sample.
  public let size: Int

  /// Creates a layer; throws `ModelError(.invalidArchitecture)` for a rate outside [0, 1).
  public init(rate: Float, size: Int) throws {
    guard rate >= 0 && rate < 1, size >= 1 else {
      throw ModelError(
        .invalidArchitecture, "dropout rate must be in [0, 1) and the size positive (got \(rate), \(size))")
    }
    (self.rate, self.size) = (rate, size)
  }

  /// y = x ⊙ mask / (1 − rate) while training (writing the scaled mask, 0 or 1 / (1 − rate)
  /// per value, into `mask`), y = x otherwise.
  func forward(
    input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, batch: Int,
    training: Bool, mask: UnsafeMutablePointer<Float>, random: inout SeededGenerator
  ) {
    let count = batch * size
    guard training && rate > 0 else {
      y.update(from: x, count: count)
      return
    }
    let keep = 1 / (1 - rate)
    for i in 0..<count {
      mask[i] = random.nextFloat() < rate ? 0 : keep
      y[i] = x[i] * mask[i]
    }
  }

  /// dL/dx = dL/dy ⊙ mask (the identity when the forward pass was not training).
  func backward(
    gradOutput g: UnsafePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>, batch: Int,
    training: Bool, mask: UnsafePointer<Float>
  ) {
    let count = batch * size
    guard training && rate > 0 else {
      dx.update(from: g, count: count)
      return
    }
    for i in 0..<count { dx[i] = g[i] * mask[i] }
  }
}
