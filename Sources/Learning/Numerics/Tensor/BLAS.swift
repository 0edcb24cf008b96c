#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// The BLAS the numerics run on: OpenBLAS on Linux, Accelerate on macOS.
///
/// Thread count: OpenBLAS would otherwise start one thread per core. On these machines two
/// BLAS threads are slower than one as soon as the other core is busy, and one thread keeps
/// results bit-identical from run to run, so `Learning` sets **1 thread** the first time a
/// model is built. Raise it with `BLAS.threadCount = n` (the experiment spec's
/// `training.threads`); the `OPENBLAS_NUM_THREADS` environment variable is deliberately
/// overridden so that a spec, not the shell, decides.
public enum BLAS {
  /// Name of the backend and, for OpenBLAS, the kernel it picked for this CPU.
  public static var backend: String {
    #if canImport(Accelerate)
    return "Accelerate"
    #else
    return "OpenBLAS (\(String(cString: openblas_get_corename())))"
    #endif
  }

  /// Threads BLAS uses for a product; setting it takes effect for the next product.
  public static var threadCount: Int {
    get {
      #if canImport(Accelerate)
      return 1
      #else
      return Int(openblas_get_num_threads())
      #endif
    }
    set {
      configured = true
      #if !canImport(Accelerate)
      openblas_set_num_threads(Int32(max(1, newValue)))
      #endif
    }
  }

  nonisolated(unsafe) private static var configured = false

  /// Applies the default of one thread unless a thread count was set explicitly.
  static func configureDefault() {
    if !configured { threadCount = 1 }
  }

  /// C ← alpha · op(A) · op(B) + beta · C, all row-major.
  ///
  /// Degenerate shapes skip `sgemm`, which would pack a whole operand to produce one
  /// column: a single output column or row goes to `sgemv`, an outer product (k = 1) to a
  /// plain loop. Measured on the 10→64→1 regression: 3.2 ms → see Benchmarks/README.md.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
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
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  @inline(__always)
  private static func outerRow(
    _ row: UnsafeMutablePointer<Float>, _ scale: Float, _ b: UnsafePointer<Float>, _ n: Int
  ) {
    for j in 0..<n { row[j] = scale * b[j] }
  }
}
