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

  static let shapes = [(5, 7, 3), (1, 6, 4), (6, 1, 4), (5, 6, 1), (1, 1, 5), (4, 4, 4)]

  @Test(arguments: shapes)
  func productsMatchNaiveMultiplication(_ shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var random = SeededGenerator(seed: UInt64(m * 100 + n * 10 + k))
    for ta in [false, true] {
      for tb in [false, true] {
        let a = ta ? Matrix(rows: k, columns: m) : Matrix(rows: m, columns: k)
        let b = tb ? Matrix(rows: n, columns: k) : Matrix(rows: k, columns: n)
        for i in 0..<a.count { a.pointer[i] = random.nextFloat(in: -1, 1) }
        for i in 0..<b.count { b.pointer[i] = random.nextFloat(in: -1, 1) }
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
}
