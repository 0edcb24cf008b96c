#ifndef TRACK_NARROW_KERNELS_H
#define TRACK_NARROW_KERNELS_H

/// Dense-layer kernels for a narrow input (k <= NARROW_MAX_INPUT features, e.g. 10 columns
/// of tabular or time-series data): here BLAS spends more time packing operands than
/// multiplying, and the bias, the product and the activation are three passes over the
/// output that fit in one. All matrices are row-major float32 with rows packed tightly.
///
/// Compiled twice: for AVX2+FMA, chosen at run time when the CPU has both, and portable C
/// otherwise. Results are deterministic on a machine; they may differ in the last bits
/// from a BLAS product (another summation order, fused multiply-adds).

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

/// 1 when the AVX2+FMA versions run on this CPU, 0 for the portable ones.
int narrow_kernels_vectorized(void);

#endif
