import Foundation

/// A small deterministic random generator: xoshiro256** seeded through SplitMix64.
///
/// Everything random in `Learning` (initialisation, shuffling, sampling) draws from one of
/// these, so a seed fixes a run. The algorithms are spelled out here rather than borrowed
/// from the standard library, whose `shuffle` may change between Swift releases.
///
/// ```swift
/// var random = SeededGenerator(seed: 42)
/// random.shuffle(&indices)
/// let x = random.nextFloat()        // uniform in [0, 1)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
  private var s0, s1, s2, s3: UInt64

  /// Creates a generator whose whole stream is fixed by `seed`.
  public init(seed: UInt64) {
    var mixer = seed
    s0 = SeededGenerator.splitMix(&mixer)
    s1 = SeededGenerator.splitMix(&mixer)
    s2 = SeededGenerator.splitMix(&mixer)
    s3 = SeededGenerator.splitMix(&mixer)
  }

  /// The state as four words (for saving a generator with a checkpoint).
  public var state: [UInt64] { [s0, s1, s2, s3] }

  /// Restores a generator from `state` (four words from `state`).
  public init?(state: [UInt64]) {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
    (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
  }

  private static func splitMix(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inline(__always) private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = SeededGenerator.rotate(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = SeededGenerator.rotate(s3, 45)
    return result
  }

  /// A uniform `Float` in [0, 1) with 24 random bits.
  public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A uniform `Float` in [low, high).
  public mutating func nextFloat(in low: Float, _ high: Float) -> Float {
    low + (high - low) * nextFloat()
  }

  /// A uniform integer in 0..<bound, without modulo bias (Lemire's method).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold { product = next().multipliedFullWidth(by: range) }
    }
    return Int(product.high)
  }

  /// A standard normal sample (Box–Muller; one of the pair is discarded for simplicity).
  public mutating func nextGaussian() -> Float {
    var u = nextDouble()
    while u <= 0 { u = nextDouble() }
    let v = nextDouble()
    return Float((-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v))
  }

  /// Shuffles `array` in place (Fisher–Yates, from the end).
  public mutating func shuffle<T>(_ array: inout [T]) {
    var i = array.count - 1
    while i > 0 {
      let j = nextInt(below: i + 1)
      if i != j { array.swapAt(i, j) }
      i -= 1
    }
  }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
