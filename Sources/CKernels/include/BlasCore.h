#ifndef TRACK_BLAS_CORE_H
#define TRACK_BLAS_CORE_H

/// OpenBLAS's kernel ("core") chosen by the CPU's features, not only by the models its build
/// knows. A DYNAMIC_ARCH OpenBLAS picks its kernel from the CPU family and model when it is
/// loaded; a CPU newer than the build falls back to older kernels (Debian's 0.3.21 runs an
/// unknown Intel Xeon with AVX-512 on Prescott SSE3, 3-5x slower than SkylakeX).
///
/// A constructor of this library runs after OpenBLAS's own (the executable's constructors
/// run after its libraries') and before `main`: when OPENBLAS_CORETYPE is not set and the
/// kernel OpenBLAS picked uses less of the CPU than its CPUID says it has (AVX-512, or AVX2
/// with FMA, each also enabled by the OS in XCR0), it initialises OpenBLAS's kernel table
/// again for the better core (`gotoblas_dynamic_quit`, then `gotoblas_dynamic_init` reading
/// OPENBLAS_CORETYPE, which is set for that call only). Measured on glibc 2.36: setting
/// OPENBLAS_CORETYPE in a constructor is too late (OpenBLAS has read it), and in
/// `.preinit_array` it is lost (libc's own initialisation resets `environ` afterwards).
///
/// A user's OPENBLAS_CORETYPE is never overridden. Without OpenBLAS in the process, or with
/// an OpenBLAS built for one core (no `gotoblas_dynamic_init`), nothing happens.

/// What decided the kernel the process runs.
typedef enum {
  /// OpenBLAS's own choice (or no OpenBLAS, or nothing better to choose).
  blas_core_source_openblas = 0,
  /// The user's OPENBLAS_CORETYPE.
  blas_core_source_user = 1,
  /// Chosen here from CPUID, replacing OpenBLAS's choice (`blas_core_replaced`).
  blas_core_source_cpu_features = 2,
} blas_core_source;

/// The instruction-set level of a CPU, or the level a kernel needs.
typedef enum {
  blas_level_baseline = 0,  ///< SSE-SSE4 (Prescott, Nehalem, Core2, Barcelona...)
  blas_level_avx = 1,       ///< AVX without AVX2+FMA (Sandybridge, Bulldozer...)
  blas_level_avx2 = 2,      ///< AVX2 + FMA (Haswell, Zen)
  blas_level_avx512 = 3,    ///< AVX-512 F, CD, BW, DQ, VL (SkylakeX, Cooperlake)
} blas_level;

/// The level of this CPU from CPUID, counting only what the OS saves (XCR0).
blas_level blas_cpu_level(void);

/// Whether this CPU has AVX-512 BF16 (OpenBLAS then picks Cooperlake for the CPUs it knows).
int blas_cpu_has_avx512_bf16(void);

/// The level an OpenBLAS core name needs (case-insensitive: "Haswell", "SKYLAKEX"...);
/// baseline for names it does not know.
blas_level blas_core_level(const char *core);

/// The core to switch to, or NULL to keep `picked`: the best core of `cpu` (SkylakeX, or
/// Cooperlake when `bf16`; Haswell for AVX2) when `picked` needs a lower level than `cpu`.
/// A pure function, so that the rule is tested on every CPU.
const char *blas_core_better_than(const char *picked, blas_level cpu, int bf16);

/// What decided the kernel (see above). Settled before `main`.
blas_core_source blas_core_choice(void);

/// The core OpenBLAS had picked before it was replaced ("" when it was not).
const char *blas_core_replaced(void);

#endif
