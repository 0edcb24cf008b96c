#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif
import CKernels

/// What a run's numbers depend on besides its spec, seed and thread count: the CPU and the
/// BLAS kernel. OpenBLAS picks its kernel for the CPU at load time (Haswell, Zen, SkylakeX,
/// Prescott…), and two kernels sum a product in a different order, so the same spec can
/// give different bits on another machine. Runs record both as tags (`cpu`, `blas`), and what
/// chose the kernel (`blas_choice`: OpenBLAS, the user's `OPENBLAS_CORETYPE`, or track from
/// the CPU's features when OpenBLAS did not know the CPU; CKernels' BlasCore.h).
public enum MachineInfo {
  /// The CPU model from /proc/cpuinfo ("model name"), or "unknown".
  public static let cpuModel: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    track_cpu_model(&buffer, Int32(buffer.count))
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let model = String(decoding: bytes, as: UTF8.self)
    return model.isEmpty ? "unknown" : model
  }()

  /// The BLAS and the kernel it picked for this CPU, e.g. "OpenBLAS 0.3.21 Haswell"
  /// (name and version from `openblas_get_config()`, kernel from `openblas_get_corename()`).
  public static let blasKernel: String = {
    #if canImport(Accelerate)
    return "Accelerate"
    #else
    let config = String(cString: openblas_get_config()).split(separator: " ")
    let version = config.prefix(2).joined(separator: " ")
    let core = String(cString: openblas_get_corename())
    let name = version.isEmpty ? "OpenBLAS" : version
    return core.isEmpty ? name : "\(name) \(core)"
    #endif
  }()

  /// What chose `blasKernel`: OpenBLAS itself, the user's `OPENBLAS_CORETYPE`, or track from
  /// the CPU's features when OpenBLAS's own choice used less of the CPU (a CPU newer than the
  /// OpenBLAS build; CKernels' BlasCore.h, settled before `main`).
  public enum KernelChoice: Sendable, Equatable {
    /// OpenBLAS's own choice for this CPU (also: nothing better to choose, or no OpenBLAS).
    case openBLAS
    /// The user's `OPENBLAS_CORETYPE`, never overridden.
    case environment
    /// Chosen from CPUID instead of `replaced`, the kernel OpenBLAS had picked.
    case cpuFeatures(replaced: String)

    /// For the run header and the `blas_choice` tag, e.g. "CPU features; OpenBLAS picked Prescott".
    public var description: String {
      switch self {
      case .openBLAS: return "OpenBLAS"
      case .environment: return "OPENBLAS_CORETYPE"
      case .cpuFeatures(let replaced): return "CPU features; OpenBLAS picked \(replaced)"
      }
    }
  }

  /// What chose the kernel this process runs.
  public static let kernelChoice: KernelChoice = {
    switch blas_core_choice() {
    case blas_core_source_user: return .environment
    case blas_core_source_cpu_features:
      return .cpuFeatures(replaced: String(cString: blas_core_replaced()))
    default: return .openBLAS
    }
  }()

  /// The version of the narrow-input dense kernels (layers of ≤ 16 inputs) this CPU runs:
  /// "AVX-512", "AVX2+FMA" or "portable" (CKernels' NarrowKernels.h). AVX-512 and AVX2 give
  /// the same bits; the portable one differs in the last bits.
  public static let narrowKernels: String = {
    switch narrow_kernels_isa() {
    case narrow_isa_avx512: return "AVX-512"
    case narrow_isa_avx2: return "AVX2+FMA"
    default: return "portable"
    }
  }()

  /// The instruction-set level of this CPU (CPUID, counting what the OS saves), e.g. "AVX-512".
  public static let instructionLevel: String = {
    switch blas_cpu_level() {
    case blas_level_avx512: return "AVX-512"
    case blas_level_avx2: return "AVX2+FMA"
    case blas_level_avx: return "AVX"
    default: return "SSE"
    }
  }()
}

/// Denormals flushed to zero on the calling thread (x86: the FTZ and DAZ bits of MXCSR,
/// as TensorFlow does on CPU; a no-op elsewhere). `ContinualExperiment.run` does it for its
/// thread, the worker pool for each worker (CKernels, Numerics.h).
enum Denormals {
  /// Runs `body` with denormals flushed, then puts the caller's FTZ and DAZ bits back, so a
  /// host process (a server, a test) is not changed for good.
  static func flushed<T>(_ body: () throws -> T) rethrows -> T {
    let previous = track_flush_denormals(1)
    defer { track_restore_denormals(previous) }
    return try body()
  }

  /// Whether denormals are flushed on the calling thread (false where there is no MXCSR).
  static var areFlushed: Bool { track_denormals_flushed() != 0 }
}
