#include "NarrowKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define NARROW_X86 1
#include <immintrin.h>
#endif

// MARK: Portable versions (and the column tails of the vector versions)

static void forward_columns(const float *x, long rows, long k, const float *w, const float *b,
                            long n, float *y, int relu, long first) {
  for (long r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    float *yr = y + r * n;
    for (long c = first; c < n; ++c) {
      float s = b[c];
      for (long p = 0; p < k; ++p) s += xr[p] * w[p * n + c];
      yr[c] = (relu && s < 0) ? 0 : s;  // NaN stays NaN, as in Activation.apply
    }
  }
}

static void backward_columns(const float *x, long rows, long k, const float *g, const float *y,
                             long n, long ld, int relu, float *dw, float *db, long first) {
  for (long r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    for (long c = first; c < n; ++c) {
      float d = g[r * ld + c];
      if (relu && y[r * ld + c] <= 0) d = 0;  // as Activation.backward (NaN y keeps g)
      db[c] += d;
      for (long p = 0; p < k; ++p) dw[p * ld + c] += xr[p] * d;
    }
  }
}

// MARK: AVX2 + FMA versions

#ifdef NARROW_X86

/// Rows processed together in the backward pass: g and y for 64 rows of 64 columns (32 KB)
/// stay in L1 while each 8-column slice of them is swept.
#define BACKWARD_ROWS 64

/// max_ps(0, v) returns v when v is NaN (its second operand): a diverging run shows NaN.
__attribute__((target("avx2,fma")))
static void forward_avx2(const float *x, long rows, long k, const float *w, const float *b,
                         long n, float *y, int relu) {
  const long vectors = n / 8;
  const __m256 zero = _mm256_setzero_ps();
  for (long r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    float *yr = y + r * n;
    long v = 0;
    // Eight 8-column accumulators (64 columns) per pass over the row's k inputs.
    for (; v + 8 <= vectors; v += 8) {
      __m256 acc[8];
      for (int j = 0; j < 8; ++j) acc[j] = _mm256_loadu_ps(b + (v + j) * 8);
      for (long p = 0; p < k; ++p) {
        const __m256 xp = _mm256_broadcast_ss(xr + p);
        const float *wp = w + p * n + v * 8;
        for (int j = 0; j < 8; ++j) acc[j] = _mm256_fmadd_ps(xp, _mm256_loadu_ps(wp + j * 8), acc[j]);
      }
      for (int j = 0; j < 8; ++j) {
        _mm256_storeu_ps(yr + (v + j) * 8, relu ? _mm256_max_ps(zero, acc[j]) : acc[j]);
      }
    }
    for (; v < vectors; ++v) {
      __m256 acc = _mm256_loadu_ps(b + v * 8);
      for (long p = 0; p < k; ++p) {
        acc = _mm256_fmadd_ps(_mm256_broadcast_ss(xr + p), _mm256_loadu_ps(w + p * n + v * 8), acc);
      }
      _mm256_storeu_ps(yr + v * 8, relu ? _mm256_max_ps(zero, acc) : acc);
    }
  }
  if (vectors * 8 < n) forward_columns(x, rows, k, w, b, n, y, relu, vectors * 8);
}

/// One block of rows for one 8-column slice with K inputs known at compile time, so the K
/// weight-gradient accumulators and the bias one stay in registers (with K a run-time value
/// they were spilled and reloaded around every multiply-add: 2x slower).
__attribute__((target("avx2,fma"), always_inline))
static inline void backward_slice(const int K, const float *x, long start, long end,
                                  const float *g, const float *y, long ld, int relu, float *dw,
                                  float *db, long column) {
  const __m256 zero = _mm256_setzero_ps();
  __m256 acc[NARROW_MAX_INPUT];
  for (int p = 0; p < K; ++p) acc[p] = _mm256_loadu_ps(dw + p * ld + column);
  __m256 bias = _mm256_loadu_ps(db + column);
  for (long r = start; r < end; ++r) {
    __m256 d = _mm256_loadu_ps(g + r * ld + column);
    if (relu) {  // keep g where y > 0 or y is NaN, as Activation.backward
      const __m256 active = _mm256_cmp_ps(_mm256_loadu_ps(y + r * ld + column), zero, _CMP_NLE_UQ);
      d = _mm256_and_ps(d, active);
    }
    bias = _mm256_add_ps(bias, d);
    const float *xr = x + r * K;
    for (int p = 0; p < K; ++p) acc[p] = _mm256_fmadd_ps(_mm256_broadcast_ss(xr + p), d, acc[p]);
  }
  for (int p = 0; p < K; ++p) _mm256_storeu_ps(dw + p * ld + column, acc[p]);
  _mm256_storeu_ps(db + column, bias);
}

__attribute__((target("avx2,fma")))
static void backward_avx2(const float *x, long rows, long k, const float *g, const float *y,
                          long n, long ld, int relu, float *dw, float *db) {
  const long vectors = n / 8;
  for (long start = 0; start < rows; start += BACKWARD_ROWS) {
    const long end = start + BACKWARD_ROWS < rows ? start + BACKWARD_ROWS : rows;
    for (long v = 0; v < vectors; ++v) {
#define SLICE(K) case K: backward_slice(K, x, start, end, g, y, ld, relu, dw, db, v * 8); break;
      switch (k) {
        SLICE(1) SLICE(2) SLICE(3) SLICE(4) SLICE(5) SLICE(6) SLICE(7) SLICE(8)
        SLICE(9) SLICE(10) SLICE(11) SLICE(12) SLICE(13) SLICE(14) SLICE(15) SLICE(16)
      }
#undef SLICE
    }
  }
  if (vectors * 8 < n) backward_columns(x, rows, k, g, y, n, ld, relu, dw, db, vectors * 8);
}

static int has_avx2_fma(void) {
  __builtin_cpu_init();  // idempotent; the checks below read what it filled in
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#endif

// MARK: Entry points

int narrow_kernels_vectorized(void) {
#ifdef NARROW_X86
  return has_avx2_fma();
#else
  return 0;
#endif
}

void narrow_dense_forward(const float *x, long rows, long k, const float *w, const float *b,
                          long n, float *y, int relu) {
#ifdef NARROW_X86
  if (has_avx2_fma()) {
    forward_avx2(x, rows, k, w, b, n, y, relu);
    return;
  }
#endif
  forward_columns(x, rows, k, w, b, n, y, relu, 0);
}

void narrow_dense_backward(const float *x, long rows, long k, const float *g, const float *y,
                           long n, long ld, int relu, float *dw, float *db) {
#ifdef NARROW_X86
  if (has_avx2_fma() && k <= NARROW_MAX_INPUT) {
    backward_avx2(x, rows, k, g, y, n, ld, relu, dw, db);
    return;
  }
#endif
  backward_columns(x, rows, k, g, y, n, ld, relu, dw, db, 0);
}
