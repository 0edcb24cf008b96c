import Foundation
import Testing

@testable import Learning

/// Matrix products through every BLAS dispatch path (sgemm, sgemv for one column or one row,
/// the k = 1 outer product) and every transpose combination, against a naive Double product.
@Suite struct NumericsMatrixTests {
  static func naive(
    _ a: Matrix, _ ta: Bool, _ b: Matrix, _ tb: Bool, m: Int, n: Int, k: Int
  ) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let x = ta ? a[p, i] : a[i, p]
          let y = tb ? b[j, p] : b[p, j]
          s += Double(x) * Double(y)
        }
        c[i * n + j] = s
      }
    }
    return c
  }

  /// Random A and B for op(A) (m × k) · op(B) (k × n), stored transposed when asked.
  static func operands(
    m: Int, n: Int, k: Int, _ ta: Bool, _ tb: Bool, _ random: inout SeededGenerator
  ) -> (Matrix, Matrix) {
    let a = ta ? Matrix(rows: k, columns: m) : Matrix(rows: m, columns: k)
    let b = tb ? Matrix(rows: n, columns: k) : Matrix(rows: k, columns: n)
    for i in 0..<a.count { a.pointer[i] = random.nextFloat(in: -1, 1) }
    for i in 0..<b.count { b.pointer[i] = random.nextFloat(in: -1, 1) }
    return (a, b)
  }

  static let shapes = [(5, 7, 3), (1, 6, 4), (6, 1, 4), (5, 6, 1), (1, 1, 5), (4, 4, 4)]

  @Test(arguments: shapes)
  func productsMatchNaiveMultiplication(_ shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var random = SeededGenerator(seed: UInt64(m * 100 + n * 10 + k))
    for ta in [false, true] {
      for tb in [false, true] {
        let (a, b) = Self.operands(m: m, n: n, k: k, ta, tb, &random)
        let c = Matrix(rows: m, columns: n)
        c.multiply(a, transposed: ta, b, transposed: tb)
        let expected = Self.naive(a, ta, b, tb, m: m, n: n, k: k)
        let worst = zip(c.array, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-5, "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb): error \(worst)")
        // beta = 1 accumulates onto what is there.
        c.multiply(a, transposed: ta, b, transposed: tb, beta: 1)
        let twice = zip(c.array, expected).map { abs(Double($0) - 2 * $1) }.max() ?? 0
        #expect(twice < 2e-5, "accumulating m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb)")
      }
    }
  }

  @Test func buffersAreAlignedAndRowsResizeWithoutMoving() {
    let m = Matrix(rows: 3, columns: 5, rowCapacity: 10)
    let start = m.pointer
    #expect(Int(bitPattern: start) % 64 == 0)
    m.setRows(10)
    #expect(m.pointer == start && m.count == 50)
    let v = Vector(count: 7)
    #expect(Int(bitPattern: v.pointer) % 64 == 0)
    let view = Matrix(viewing: Vector([1, 2, 3, 4, 5, 6]), offset: 2, rows: 2, columns: 2)
    #expect(view.array == [3, 4, 5, 6] && view[1, 0] == 5)
  }

  /// C = op(A)·op(B) through `BLAS.gemm` on `threads` threads.
  static func product(
    _ a: Matrix, _ ta: Bool, _ b: Matrix, _ tb: Bool, m: Int, n: Int, k: Int, threads: Int
  ) -> [Float] {
    let c = Matrix(rows: m, columns: n)
    for i in 0..<c.count { c.pointer[i] = 0.5 }  // beta = 1 must keep it
    BLAS.gemm(
      transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a.pointer,
      lda: a.columns, b: b.pointer, ldb: b.columns, beta: 1, c: c.pointer, ldc: n,
      threads: threads)
    return c.array
  }

  /// Shapes above `parallelMinimumWork`: split along rows (m ≥ n) and along columns, with
  /// sides that are not multiples of the 16-element slice step.
  static let parallelShapes = [(32, 256, 784), (784, 256, 32), (100, 37, 60), (37, 300, 40)]

  @Test(arguments: parallelShapes)
  func productsSplitAcrossThreadsMatchTheNaiveProduct(_ shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    #expect(m * n * k >= BLAS.parallelMinimumWork)
    var random = SeededGenerator(seed: UInt64(m + n + k))
    for ta in [false, true] {
      for tb in [false, true] {
        let (a, b) = Self.operands(m: m, n: n, k: k, ta, tb, &random)
        let expected = Self.naive(a, ta, b, tb, m: m, n: n, k: k).map { $0 + 0.5 }
        let two = Self.product(a, ta, b, tb, m: m, n: n, k: k, threads: 2)
        let worst = zip(two, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 1e-6 * Double(k) + 1e-5,
                "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb): error \(worst)")
        // The slices are fixed by shape and thread count: the same call, the same bits.
        // (Compared outside #expect: its diff of two long arrays takes minutes.)
        let again = Self.product(a, ta, b, tb, m: m, n: n, k: k, threads: 2)
        let repeatable = two == again
        #expect(repeatable, "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb): not repeatable")
      }
    }
  }

  @Test func productsFromManyThreadsAtOnceAreAllRight() {
    // More callers than the pool has threads: the ones that find it busy run their slices
    // themselves. Every caller must still get the full, correct product.
    let (m, n, k) = (64, 128, 96)
    var random = SeededGenerator(seed: 7)
    // `nonisolated(unsafe)`: the callers below only read a and b, and each writes only its
    // own element of results; Matrix and the buffer are not Sendable.
    nonisolated(unsafe) let a = Matrix(rows: m, columns: k)
    nonisolated(unsafe) let b = Matrix(rows: k, columns: n)
    for i in 0..<a.count { a.pointer[i] = random.nextFloat(in: -1, 1) }
    for i in 0..<b.count { b.pointer[i] = random.nextFloat(in: -1, 1) }
    let expected = Self.product(a, false, b, false, m: m, n: n, k: k, threads: 2)
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 16)
    defer { results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 16) { i in
      var same = true
      for _ in 0..<20 {
        same = same && Self.product(a, false, b, false, m: m, n: n, k: k, threads: 2) == expected
      }
      results[i] = same
    }
    #expect(results.allSatisfy { $0 })
  }
}
