#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// The BLAS the numerics run on: OpenBLAS on Linux, Accelerate on macOS.
///
/// Threads: `Learning` runs on **1 thread** unless told otherwise, because one thread keeps
/// results bit-identical from run to run and because two threads are slower as soon as the
/// other core is busy. `MLP.threadCount = n` (the experiment spec's `training.threads`,
/// set per model so that experiments in one process do not share it) shares each step of
/// that model between n threads (`Workers`): a product of ≥ `parallelMinimumWork`
/// multiply-adds is cut into n slices along the longer side of C, each a single-threaded
/// BLAS call, and the narrow-input layer kernels likewise. OpenBLAS's own threads stay at 1:
/// they sleep between calls, and waking them costs more than a batch-32 product (measured:
/// 25,000–56,000 samples/s from run to run at 2 OpenBLAS threads, below one thread's
/// 40,000; Benchmarks/README.md). `OPENBLAS_NUM_THREADS` is deliberately overridden so that a
/// spec, not the shell, decides.
public enum BLAS {
  /// Name of the backend and, for OpenBLAS, the kernel it picked for this CPU.
  public static var backend: String {
    #if canImport(Accelerate)
    return "Accelerate"
    #else
    return "OpenBLAS (\(String(cString: openblas_get_corename())))"
    #endif
  }

  /// Cores of this machine: the most threads a model's `threadCount` can use.
  public static var maximumThreadCount: Int { Workers.cores }

  /// Products (and narrow-layer kernels) with fewer multiply-adds than this run on one
  /// thread even when a model's `threadCount` > 1 (a hand-off costs about a microsecond, what
  /// ~100,000 multiply-adds take).
  public static let parallelMinimumWork = 131_072

  /// OpenBLAS's own threads are never used (see above). Set once, before the first product
  /// (every product touches this), never while another thread is inside a product:
  /// reconfiguring OpenBLAS then is unsafe. It used to happen whenever a model was built,
  /// and a test running products from 16 threads at once failed once in that state.
  private static let singleThreadedBackend: Void = {
    #if !canImport(Accelerate)
    openblas_set_num_threads(1)
    #endif
  }()

  /// C ← alpha · op(A) · op(B) + beta · C, all row-major, on `threads` threads.
  ///
  /// Degenerate shapes skip `sgemm`, which would pack a whole operand to produce one
  /// column: a single output column or row goes to `sgemv`, an outer product (k = 1) to a
  /// plain loop. Measured on the 10→64→1 regression: 3.2 ms → see Benchmarks/README.md.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1
  ) {
    if m == 0 || n == 0 { return }
    _ = singleThreadedBackend
    if n == 1 {
      // c (m) = op(A) (m × k) · op(B) column (k).
      let incB = transposeB ? 1 : ldb
      cblas_sgemv(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
        Int32(transposeA ? k : m), Int32(transposeA ? m : k), alpha, a, Int32(lda),
        b, Int32(incB), beta, c, Int32(ldc))
      return
    }
    if m == 1 {
      // cᵀ (n) = op(B)ᵀ (n × k) · op(A) row (k).
      let incA = transposeA ? lda : 1
      cblas_sgemv(
        CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans,
        Int32(transposeB ? n : k), Int32(transposeB ? k : n), alpha, b, Int32(ldb),
        a, Int32(incA), beta, c, 1)
      return
    }
    let incB = transposeB ? ldb : 1
    if k == 1 && beta == 0 && incB == 1 {
      // Outer product c[i][j] = alpha · a_i · b_j.
      let incA = transposeA ? 1 : lda
      for i in 0..<m { outerRow(c + i * ldc, alpha * a[i * incA], b, n) }
      return
    }
    let product = Product(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    // Rows of C when m ≥ n, columns otherwise; slices start on a 16-float boundary, so on a
    // cache line of C and B.
    Workers.forEachSlice(
      of: max(m, n), alignment: 16, threads: Workers.threads(threads, forWork: m * n * k)
    ) { product.compute($0) }
  }

  /// The arguments of one `sgemm`.
  private struct Product {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int

    /// Computes the rows (m ≥ n) or columns (m < n) `range` of C.
    func compute(_ range: Range<Int>) {
      let alongRows = m >= n
      var a = self.a, b = self.b, c = self.c
      if alongRows {
        a += transposeA ? range.lowerBound : range.lowerBound * lda
        c += range.lowerBound * ldc
      } else {
        b += transposeB ? range.lowerBound * ldb : range.lowerBound
        c += range.lowerBound
      }
      cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(alongRows ? range.count : m), Int32(alongRows ? n : range.count), Int32(k), alpha,
        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
  }

  @inline(__always)
  private static func outerRow(
    _ row: UnsafeMutablePointer<Float>, _ scale: Float, _ b: UnsafePointer<Float>, _ n: Int
  ) {
    for j in 0..<n { row[j] = scale * b[j] }
  }
}
