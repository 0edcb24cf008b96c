import CKernels
import Foundation

/// The threads a training step shares its work between: the calling thread plus
/// `threadCount − 1` workers of a `CKernels` worker pool, which spin while work keeps coming
/// (a step hands out a job every few microseconds) and sleep after ~200 µs without any.
///
/// Work is cut into fixed slices by its size, its alignment and the thread count, never by
/// timing, so every element is computed the same way in every run: results repeat for a
/// thread count (BLAS products may change in the last bits between thread counts, each
/// slice being its own BLAS call; the narrow-input kernels do not).
///
/// What is shared: products (`BLAS.gemm`) and the narrow-input layer kernels. What is not:
/// elementwise loops such as optimizer steps and zeroing gradients. Sharing those measured
/// slower (Fashion-MNIST batch 32 at 2 threads: 57,000 → 35,000 samples/s): each half of
/// the gradient had last been written by the other core's product slices.
///
/// ```swift
/// Workers.forEachSlice(of: rows, alignment: 8, threads: model.threadCount) { range in
///   kernel(input + range.lowerBound * width, range.count)
/// }
/// ```
///
/// There is no process-wide thread count: each caller passes its own (an `MLP`'s
/// `threadCount`, set by the experiment that runs it), so two experiments in one process
/// each keep theirs. They share the one pool: a caller that finds it busy runs its slices
/// itself, which changes only the speed, never the bits.
enum Workers {
  /// `threads` clamped to 1...`cores`.
  static func clamped(_ threads: Int) -> Int { min(max(1, threads), cores) }

  /// Cores of this machine: a spinning worker without a core of its own stalls every job.
  static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// `threads` for a job of `work` multiply-adds, 1 when it is below
  /// `BLAS.parallelMinimumWork` (too small to share).
  static func threads(_ threads: Int, forWork work: Int) -> Int {
    work >= BLAS.parallelMinimumWork ? threads : 1
  }

  /// The largest pool started so far. `nonisolated(unsafe)` because Swift cannot see the
  /// guard: every read and write of it holds `poolLock` (the pool itself is thread-safe C).
  nonisolated(unsafe) private static var pool: OpaquePointer?
  private static let poolLock = NSLock()

  /// Calls `body` once for each of `threads × slicesPerThread` consecutive slices of
  /// `0..<count` (fewer when `count` is small), each starting at a multiple of `alignment`,
  /// on `threads` threads at once; the first thread is the caller. Threads take the next
  /// slice not yet taken, so a thread on a slower or shared core takes fewer: more slices
  /// per thread balance better, fewer make bigger calls. Which thread runs a slice varies,
  /// so `body` must compute a slice the same way on any thread (it does: the slices are
  /// fixed). Returns when all have finished.
  static func forEachSlice(
    of count: Int, alignment: Int = 16, threads: Int, slicesPerThread: Int = 1,
    _ body: (Range<Int>) -> Void
  ) {
    let pieces = max(threads, 1) * max(slicesPerThread, 1)
    let step = ((count + pieces - 1) / pieces + alignment - 1) / alignment * alignment
    let parts = step == 0 ? 0 : (count + step - 1) / step
    if parts <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { body in
      var job = SliceJob(count: count, step: step, body: body)
      withUnsafeMutablePointer(to: &job) { job in
        if threads > 1, let pool = pool(threads: threads) {
          worker_pool_run(pool, Int32(parts), runSlice, job)
        } else {
          for part in 0..<parts { runSlice(job, Int32(part)) }
        }
      }
    }
  }

  /// The pool for `threads` threads (at most `cores`), started on first use; nil on one
  /// core, or when no thread can be started. Takes the lock on every call (an uncontended
  /// lock is tens of nanoseconds against a job of at least `BLAS.parallelMinimumWork`): an
  /// unlocked first look at `pool` was a data race with the write below.
  private static func pool(threads: Int) -> OpaquePointer? {
    let wanted = min(threads, cores)
    if wanted < 2 { return nil }
    poolLock.lock()
    defer { poolLock.unlock() }
    if let pool, worker_pool_threads(pool) >= wanted { return pool }
    // A smaller pool from before stays (its workers sleep when idle): work on another
    // thread may still be running on it.
    pool = worker_pool_create(Int32(wanted)) ?? pool
    return pool
  }
}

/// One `forEachSlice` call as the pool sees it.
private struct SliceJob {
  let count: Int
  let step: Int
  let body: (Range<Int>) -> Void
}

/// The pool's entry point for slice `part` of a `SliceJob` (a C function pointer).
private let runSlice: worker_pool_task = { context, part in
  let job = context!.assumingMemoryBound(to: SliceJob.self)
  let start = Int(part) * job.pointee.step
  job.pointee.body(start..<min(job.pointee.count, start + job.pointee.step))
}
