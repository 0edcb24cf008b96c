/// A fixed-length, 64-byte-aligned buffer of `Float`s with the vector operations continual
/// learning needs (EWC penalties, A-GEM projections, weight distances).
///
/// A model's parameters, gradients and optimizer state are each one `Vector` with the same
/// layout, so these operations apply to a whole model at once:
///
/// ```swift
/// // A-GEM: project the gradient g when it conflicts with the memory gradient r.
/// let gr = model.gradients.dot(reference)
/// if gr < 0 { model.gradients.axpy(-gr / reference.squaredNorm(), reference) }
/// ```
///
/// Reference semantics: the buffer is allocated once and never reallocated, so pointers into
/// it stay valid for the vector's lifetime. The loops are written as plain `c + a * b` over
/// unsafe pointers so the release build vectorizes them on baseline x86-64.
public final class Vector {
  /// Number of elements.
  public let count: Int
  /// Start of the aligned storage; valid while the vector is alive.
  public let pointer: UnsafeMutablePointer<Float>

  /// Alignment of every buffer in bytes (one cache line, an AVX-512 register).
  public static let alignment = 64

  /// Creates a vector of `count` zeros.
  public init(count: Int) {
    precondition(count >= 0, "Vector count must be non-negative, got \(count)")
    self.count = count
    pointer = Vector.allocate(count)
    pointer.initialize(repeating: 0, count: count)
  }

  /// Creates a vector holding a copy of `values`.
  public convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
    }
  }

  deinit { pointer.deallocate() }

  static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: alignment)
    return raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  /// Element `index`.
  @inlinable public subscript(index: Int) -> Float {
    get { pointer[index] }
    set { pointer[index] = newValue }
  }

  /// The elements as an array (allocates; not for the training loop).
  public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  /// An independent copy.
  public func copy() -> Vector {
    let result = Vector(count: count)
    result.copy(from: self)
    return result
  }

  /// Sets every element to `value`.
  public func fill(_ value: Float) {
    let p = pointer
    for i in 0..<count { p[i] = value }
  }

  /// Copies all elements of `other` (same count) into this vector.
  public func copy(from other: Vector) {
    precondition(other.count == count, "copy: counts differ (\(other.count) vs \(count))")
    pointer.update(from: other.pointer, count: count)
  }

  /// Copies `values` (same count) into this vector.
  public func copy(from values: [Float]) {
    precondition(values.count == count, "copy: counts differ (\(values.count) vs \(count))")
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
  }

  /// self ← alpha · self.
  public func scale(by alpha: Float) {
    let p = pointer
    for i in 0..<count { p[i] = p[i] * alpha }
  }

  /// self ← self + alpha · x (BLAS `axpy`).
  public func axpy(_ alpha: Float, _ x: Vector) {
    precondition(x.count == count, "axpy: counts differ (\(x.count) vs \(count))")
    let p = pointer, q = x.pointer
    for i in 0..<count { p[i] = p[i] + alpha * q[i] }
  }

  /// Σ self[i] · x[i], accumulated in Double so long vectors stay accurate.
  public func dot(_ x: Vector) -> Float {
    precondition(x.count == count, "dot: counts differ (\(x.count) vs \(count))")
    return Float(Vector.dot(pointer, x.pointer, count))
  }

  /// Σ self[i]².
  public func squaredNorm() -> Float { Float(Vector.dot(pointer, pointer, count)) }

  /// Euclidean norm √(Σ self[i]²).
  public func norm() -> Float { Float(Vector.dot(pointer, pointer, count).squareRoot()) }

  /// Σ (self[i] − x[i])², e.g. how far weights moved from an anchor.
  public func squaredDistance(to x: Vector) -> Float {
    precondition(x.count == count, "squaredDistance: counts differ (\(x.count) vs \(count))")
    let p = pointer, q = x.pointer
    var sums = (Float(0), Float(0), Float(0), Float(0))
    var i = 0
    while i + 4 <= count {
      let d0 = p[i] - q[i], d1 = p[i + 1] - q[i + 1]
      let d2 = p[i + 2] - q[i + 2], d3 = p[i + 3] - q[i + 3]
      sums.0 = sums.0 + d0 * d0; sums.1 = sums.1 + d1 * d1
      sums.2 = sums.2 + d2 * d2; sums.3 = sums.3 + d3 * d3
      i += 4
    }
    var total = Double(sums.0) + Double(sums.1) + Double(sums.2) + Double(sums.3)
    while i < count { let d = Double(p[i] - q[i]); total += d * d; i += 1 }
    return Float(total)
  }

  /// self ← self + alpha · x ⊙ x (e.g. accumulating a diagonal Fisher from gradients).
  public func addSquares(of x: Vector, scaledBy alpha: Float = 1) {
    precondition(x.count == count, "addSquares: counts differ (\(x.count) vs \(count))")
    let p = pointer, q = x.pointer
    for i in 0..<count { p[i] = p[i] + alpha * (q[i] * q[i]) }
  }

  /// self ← self + alpha · w ⊙ (a − b): the EWC gradient λ·F·(θ − θ*) with w = F, a = θ,
  /// b = θ*.
  public func addWeightedDifference(
    _ alpha: Float, weights w: Vector, _ a: Vector, minus b: Vector
  ) {
    precondition(w.count == count && a.count == count && b.count == count,
                 "addWeightedDifference: counts differ")
    let p = pointer, pw = w.pointer, pa = a.pointer, pb = b.pointer
    for i in 0..<count { p[i] = p[i] + alpha * (pw[i] * (pa[i] - pb[i])) }
  }

  /// Σ w[i] · (self[i] − x[i])²: the EWC penalty Σ F (θ − θ*)² with w = F, x = θ*.
  public func weightedSquaredDistance(to x: Vector, weights w: Vector) -> Float {
    precondition(x.count == count && w.count == count, "weightedSquaredDistance: counts differ")
    let p = pointer, q = x.pointer, pw = w.pointer
    return Float(Vector.blockedSum(count) { i in
      let d = p[i] - q[i]
      return pw[i] * (d * d)
    })
  }

  /// Whether every element is finite (no NaN or infinity).
  public var isFinite: Bool {
    for i in 0..<count where !pointer[i].isFinite { return false }
    return true
  }

  static func dot(
    _ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ count: Int
  ) -> Double {
    blockedSum(count) { p[$0] * q[$0] }
  }

  /// Σ term(i) for i in 0..<count, summed the way every reduction here is: four Float
  /// partial sums (so the loop vectorizes) over blocks of `block` elements, each block
  /// folded into a Double (so the rounding error stays bounded).
  @inline(__always)
  static func blockedSum(_ count: Int, block: Int = 256, _ term: (Int) -> Float) -> Double {
    var total = 0.0
    var start = 0
    while start < count {
      let end = min(start + block, count)
      var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
      var i = start
      while i + 4 <= end {
        s0 = s0 + term(i); s1 = s1 + term(i + 1)
        s2 = s2 + term(i + 2); s3 = s3 + term(i + 3)
        i += 4
      }
      while i < end { s0 = s0 + term(i); i += 1 }
      total += Double(s0) + Double(s1) + Double(s2) + Double(s3)
      start = end
    }
    return total
  }
}
