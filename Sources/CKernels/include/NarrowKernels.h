#ifndef TRACK_NARROW_KERNELS_H
#define TRACK_NARROW_KERNELS_H

/// Dense-layer kernels for a narrow input (k <= NARROW_MAX_INPUT features, e.g. 10 columns
/// of tabular or time-series data): here BLAS spends more time packing operands than
/// multiplying, and the bias, the product and the activation are three passes over the
/// output that fit in one. All matrices are row-major float32 with rows packed tightly.
///
/// Compiled three times: AVX-512 (F) where the CPU has it, else AVX2+FMA, else portable C,
/// chosen at run time (`narrow_kernels_isa`). Results are deterministic on a machine; they
/// may differ in the last bits from a BLAS product (another summation order, fused
/// multiply-adds). AVX-512 and AVX2 sum every output in the same order with one fused
/// multiply-add per product (column tails included), so the two give the same bits: a run
/// repeats bit for bit on either; the portable version (no FMA) differs in the last bits.

#define NARROW_MAX_INPUT 16

/// y (rows x n) = x (rows x k) . w (k x n) + b, then max(y, 0) when `relu` is non-zero.
void narrow_dense_forward(const float *x, long rows, long k, const float *w, const float *b,
                          long n, float *y, int relu);

/// The backward pass of the same layer when no gradient for x is needed (a first layer):
/// with dz = g, or g where y > 0 when `relu` is non-zero, adds x^T . dz to dw (k x n) and
/// the column sums of dz to db (n). g, y (rows x n) and dw (k x n) are columns of matrices
/// whose rows are `ld` floats apart, so callers can hand out slices of columns; g and y are
/// not modified.
void narrow_dense_backward(const float *x, long rows, long k, const float *g, const float *y,
                           long n, long ld, int relu, float *dw, float *db);

/// The instruction sets the kernels are compiled for.
typedef enum {
  narrow_isa_portable = 0,
  narrow_isa_avx2 = 1,    ///< AVX2 + FMA, 8 columns a vector
  narrow_isa_avx512 = 2,  ///< AVX-512 F, 16 columns a vector, masked tails
} narrow_isa;

/// Whether this CPU (and OS) runs `isa`.
int narrow_isa_supported(narrow_isa isa);

/// The version `narrow_dense_forward` and `narrow_dense_backward` run: the widest supported.
narrow_isa narrow_kernels_isa(void);

/// Makes the entry points run `isa` (the portable one when the CPU cannot) for the rest of
/// the process: for benchmarks comparing the versions (`NumericsBenchmarks seed --narrow`).
/// Call before any training; not for a process whose threads are training.
void narrow_kernels_use(narrow_isa isa);

/// 1 when a vector version (AVX2 or AVX-512) runs on this CPU, 0 for the portable one.
int narrow_kernels_vectorized(void);

/// The same kernels in a given version (tests check each against the others); an `isa` the
/// CPU does not run falls back to the portable one.
void narrow_dense_forward_with(narrow_isa isa, const float *x, long rows, long k, const float *w,
                               const float *b, long n, float *y, int relu);
void narrow_dense_backward_with(narrow_isa isa, const float *x, long rows, long k, const float *g,
                                const float *y, long n, long ld, int relu, float *dw, float *db);

#endif
