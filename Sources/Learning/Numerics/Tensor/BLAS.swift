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
  @inline(__always)
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
