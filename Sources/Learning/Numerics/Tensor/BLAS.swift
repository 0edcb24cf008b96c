#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif
import CKernels
import Foundation

/// The BLAS the numerics run on: OpenBLAS on Linux, Accelerate on macOS.
///
/// Threads: `Learning` runs products on **1 thread** unless told otherwise, because one
/// thread keeps results bit-identical from run to run and because two threads are slower
/// as soon as the other core is busy. `BLAS.threadCount = n` (the experiment spec's
/// `training.threads`) splits each product big enough to gain (≥ `parallelMinimumWork`
/// multiply-adds) into n slices along its longer output side, run by a pool of n − 1
/// spinning workers plus the caller, each slice a single-threaded BLAS call. OpenBLAS's
/// own threads stay at 1: they sleep between calls, and waking them costs more than a
/// batch-32 product (measured: 25,000–56,000 samples/s from run to run at 2 OpenBLAS
/// threads against a steady figure with the pool; Benchmarks/README.md). The slices are
/// fixed by the shapes and n, so results are repeatable for a given thread count (and may
/// differ in the last bits between thread counts). `OPENBLAS_NUM_THREADS` is deliberately
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

  /// Threads a product runs on, at most the number of cores (a spinning worker without a
  /// core of its own would stall every product); takes effect for the next product.
  public static var threadCount: Int {
    get { threads }
    set {
      configured = true
      #if !canImport(Accelerate)
      openblas_set_num_threads(1)
      #endif
      threads = min(max(1, newValue), cores)
    }
  }

  /// Products with fewer multiply-adds than this run on one thread even when
  /// `threadCount` > 1 (a hand-off costs about a microsecond).
  public static let parallelMinimumWork = 131_072

  private static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
  nonisolated(unsafe) private static var configured = false
  nonisolated(unsafe) private static var threads = 1
  nonisolated(unsafe) private static var pool: OpaquePointer?
  private static let poolLock = NSLock()

  /// A pool with at least `threads` threads (the caller included), started on first use;
  /// nil when no thread can be started (products then run on the calling thread).
  private static func pool(threads: Int) -> OpaquePointer? {
    if let pool, worker_pool_threads(pool) >= threads { return pool }
    poolLock.lock()
    defer { poolLock.unlock() }
    if let pool, worker_pool_threads(pool) >= threads { return pool }
    // A smaller pool from before stays (its workers sleep when idle): a product on another
    // thread may still be running on it.
    pool = worker_pool_create(Int32(min(threads, cores))) ?? pool
    return pool
  }

  /// Applies the default of one thread unless a thread count was set explicitly.
  static func configureDefault() {
    if !configured { threadCount = 1 }
  }

  /// C ← alpha · op(A) · op(B) + beta · C, all row-major, on `threads` threads.
  ///
  /// Degenerate shapes skip `sgemm`, which would pack a whole operand to produce one
  /// column: a single output column or row goes to `sgemv`, an outer product (k = 1) to a
  /// plain loop. Measured on the 10→64→1 regression: 3.2 ms → see Benchmarks/README.md.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = BLAS.threads
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
    var product = Product(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, parts: 1)
    if threads > 1, m * n * k >= parallelMinimumWork, let pool = pool(threads: threads) {
      product.parts = min(threads, Int(worker_pool_threads(pool)))
      withUnsafeMutablePointer(to: &product) {
        worker_pool_run(pool, Int32($0.pointee.parts), runSlice, $0)
      }
      return
    }
    product.slice(0)
  }

  /// The arguments of one `sgemm`, cut into `parts` slices along the longer side of C.
  fileprivate struct Product {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>, ldc: Int
    var parts: Int

    /// Computes slice `part` of C (all of it when `parts` is 1): rows of C when m ≥ n,
    /// columns otherwise, cut at multiples of 16 so every slice starts on a cache line
    /// of C and B.
    func slice(_ part: Int) {
      let alongRows = m >= n
      let length = alongRows ? m : n
      let step = ((length + parts - 1) / parts + 15) / 16 * 16
      let start = min(length, part * step)
      let count = min(length, start + step) - start
      if count == 0 { return }
      var a = self.a, b = self.b, c = self.c
      if alongRows {
        a += transposeA ? start : start * lda
        c += start * ldc
      } else {
        b += transposeB ? start * ldb : start
        c += start
      }
      cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(alongRows ? count : m), Int32(alongRows ? n : count), Int32(k), alpha,
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

/// The pool's entry point for one slice of a `BLAS.Product` (a C function pointer).
private let runSlice: worker_pool_task = { context, part in
  context!.assumingMemoryBound(to: BLAS.Product.self).pointee.slice(Int(part))
}
