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

/// The column tails of the AVX2 versions: the portable loops with one fused multiply-add per
/// product (as the vector lanes and AVX-512's masked tails do), so AVX2 and AVX-512 give the
/// same bits in every column and a run does not depend on which of the two the CPU has.
__attribute__((target("fma")))
static void forward_columns_fma(const float *x, long rows, long k, const float *w, const float *b,
                                long n, float *y, int relu, long first) {
  for (long r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    float *yr = y + r * n;
    for (long c = first; c < n; ++c) {
      float s = b[c];
      for (long p = 0; p < k; ++p) s = __builtin_fmaf(xr[p], w[p * n + c], s);
      yr[c] = (relu && s < 0) ? 0 : s;
    }
  }
}

__attribute__((target("fma")))
static void backward_columns_fma(const float *x, long rows, long k, const float *g, const float *y,
                                 long n, long ld, int relu, float *dw, float *db, long first) {
  for (long r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    for (long c = first; c < n; ++c) {
      float d = g[r * ld + c];
      if (relu && y[r * ld + c] <= 0) d = 0;
      db[c] += d;
      for (long p = 0; p < k; ++p) dw[p * ld + c] = __builtin_fmaf(xr[p], d, dw[p * ld + c]);
    }
  }
}

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
  if (vectors * 8 < n) forward_columns_fma(x, rows, k, w, b, n, y, relu, vectors * 8);
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
  if (vectors * 8 < n) backward_columns_fma(x, rows, k, g, y, n, ld, relu, dw, db, vectors * 8);
}

// MARK: AVX-512 versions

/// The same sums as the AVX2 versions, 16 columns a vector: each output is the bias plus
/// the products in input order, one fused multiply-add each, so the columns both versions
/// vectorise get the same bits; the last n % 16 columns use masked loads and stores.
#define AVX512 "avx512f"

/// Forward for ROWS rows at once (ROWS x 4 accumulators of 16 columns): each weight vector
/// loaded once serves every row of the block, so the loop is bound by the multiply-adds and
/// not by the loads.
__attribute__((target(AVX512), always_inline))
static inline void forward_block_avx512(const int ROWS, const float *x, long k, const float *w,
                                        const float *b, long n, float *y, int relu, long column) {
  const __m512 zero = _mm512_setzero_ps();
  __m512 acc[4][4];
  for (int r = 0; r < ROWS; ++r)
    for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_loadu_ps(b + column + j * 16);
  for (long p = 0; p < k; ++p) {
    const float *wp = w + p * n + column;
    const __m512 w0 = _mm512_loadu_ps(wp), w1 = _mm512_loadu_ps(wp + 16);
    const __m512 w2 = _mm512_loadu_ps(wp + 32), w3 = _mm512_loadu_ps(wp + 48);
    for (int r = 0; r < ROWS; ++r) {
      const __m512 xp = _mm512_set1_ps(x[r * k + p]);
      acc[r][0] = _mm512_fmadd_ps(xp, w0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(xp, w1, acc[r][1]);
      acc[r][2] = _mm512_fmadd_ps(xp, w2, acc[r][2]);
      acc[r][3] = _mm512_fmadd_ps(xp, w3, acc[r][3]);
    }
  }
  for (int r = 0; r < ROWS; ++r)
    for (int j = 0; j < 4; ++j)
      _mm512_storeu_ps(y + r * n + column + j * 16, relu ? _mm512_max_ps(zero, acc[r][j]) : acc[r][j]);
}

/// One vector of 16 columns (or fewer under `mask`) of one row.
__attribute__((target(AVX512)))
static inline void forward_vector_avx512(const float *xr, long k, const float *w, const float *b,
                                         long n, float *yr, int relu, long column, __mmask16 mask) {
  __m512 acc = _mm512_maskz_loadu_ps(mask, b + column);
  for (long p = 0; p < k; ++p) {
    acc = _mm512_fmadd_ps(_mm512_set1_ps(xr[p]), _mm512_maskz_loadu_ps(mask, w + p * n + column), acc);
  }
  _mm512_mask_storeu_ps(yr + column, mask, relu ? _mm512_max_ps(_mm512_setzero_ps(), acc) : acc);
}

__attribute__((target(AVX512)))
static void forward_avx512(const float *x, long rows, long k, const float *w, const float *b,
                           long n, float *y, int relu) {
  const long blocks = n / 64 * 64;
  long r = 0;
  for (; r + 4 <= rows; r += 4) {
    for (long c = 0; c < blocks; c += 64) forward_block_avx512(4, x + r * k, k, w, b, n, y + r * n, relu, c);
  }
  for (; r < rows; ++r) {
    for (long c = 0; c < blocks; c += 64) forward_block_avx512(1, x + r * k, k, w, b, n, y + r * n, relu, c);
  }
  for (r = 0; r < rows; ++r) {
    long c = blocks;
    for (; c + 16 <= n; c += 16) forward_vector_avx512(x + r * k, k, w, b, n, y + r * n, relu, c, 0xFFFF);
    if (c < n) {
      forward_vector_avx512(x + r * k, k, w, b, n, y + r * n, relu, c, (__mmask16)((1u << (n - c)) - 1));
    }
  }
}

/// dz for 16 columns of row r: g, or g where y > 0 or y is NaN (as Activation.backward).
__attribute__((target(AVX512), always_inline))
static inline __m512 gradient_avx512(const float *g, const float *y, long r, long ld, long column,
                                     int relu, __mmask16 mask) {
  __m512 d = _mm512_maskz_loadu_ps(mask, g + r * ld + column);
  if (relu) {
    const __mmask16 active = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(mask, y + r * ld + column),
                                                _mm512_setzero_ps(), _CMP_NLE_UQ);
    d = _mm512_maskz_mov_ps(active, d);
  }
  return d;
}

/// S (1 or 2) slices of 16 columns for one block of rows with K inputs known at compile
/// time: the K x S weight-gradient accumulators stay in registers (2 x 16 + 2 of the 32).
__attribute__((target(AVX512), always_inline))
static inline void backward_slices_avx512(const int K, const int S, const float *x, long start,
                                          long end, const float *g, const float *y, long ld,
                                          int relu, float *dw, float *db, long column,
                                          __mmask16 mask) {
  __m512 acc[2][NARROW_MAX_INPUT];
  __m512 bias[2];
  for (int s = 0; s < S; ++s) {
    for (int p = 0; p < K; ++p) acc[s][p] = _mm512_maskz_loadu_ps(mask, dw + p * ld + column + s * 16);
    bias[s] = _mm512_maskz_loadu_ps(mask, db + column + s * 16);
  }
  for (long r = start; r < end; ++r) {
    __m512 d[2];
    for (int s = 0; s < S; ++s) {
      d[s] = gradient_avx512(g, y, r, ld, column + s * 16, relu, mask);
      bias[s] = _mm512_add_ps(bias[s], d[s]);
    }
    const float *xr = x + r * K;
    for (int p = 0; p < K; ++p) {
      const __m512 xp = _mm512_set1_ps(xr[p]);
      for (int s = 0; s < S; ++s) acc[s][p] = _mm512_fmadd_ps(xp, d[s], acc[s][p]);
    }
  }
  for (int s = 0; s < S; ++s) {
    for (int p = 0; p < K; ++p) _mm512_mask_storeu_ps(dw + p * ld + column + s * 16, mask, acc[s][p]);
    _mm512_mask_storeu_ps(db + column + s * 16, mask, bias[s]);
  }
}

__attribute__((target(AVX512)))
static void backward_avx512(const float *x, long rows, long k, const float *g, const float *y,
                            long n, long ld, int relu, float *dw, float *db) {
  const long pairs = n / 32 * 32;
  for (long start = 0; start < rows; start += BACKWARD_ROWS) {
    const long end = start + BACKWARD_ROWS < rows ? start + BACKWARD_ROWS : rows;
    long c = 0;
    for (; c < pairs; c += 32) {
#define SLICE(K) case K: backward_slices_avx512(K, 2, x, start, end, g, y, ld, relu, dw, db, c, 0xFFFF); break;
      switch (k) {
        SLICE(1) SLICE(2) SLICE(3) SLICE(4) SLICE(5) SLICE(6) SLICE(7) SLICE(8)
        SLICE(9) SLICE(10) SLICE(11) SLICE(12) SLICE(13) SLICE(14) SLICE(15) SLICE(16)
      }
#undef SLICE
    }
    for (; c < n; c += 16) {
      const __mmask16 mask = n - c >= 16 ? 0xFFFF : (__mmask16)((1u << (n - c)) - 1);
#define SLICE(K) case K: backward_slices_avx512(K, 1, x, start, end, g, y, ld, relu, dw, db, c, mask); break;
      switch (k) {
        SLICE(1) SLICE(2) SLICE(3) SLICE(4) SLICE(5) SLICE(6) SLICE(7) SLICE(8)
        SLICE(9) SLICE(10) SLICE(11) SLICE(12) SLICE(13) SLICE(14) SLICE(15) SLICE(16)
      }
#undef SLICE
    }
  }
}

static int has_avx2_fma(void) {
  __builtin_cpu_init();  // idempotent; the checks below read what it filled in
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int has_avx512(void) {
  __builtin_cpu_init();
  // The kernels use AVX-512 F only; the OS must also save the ZMM state (the compiler's
  // check reads CPUID and XCR0).
  return __builtin_cpu_supports("avx512f");
}

#endif

// MARK: Entry points

int narrow_isa_supported(narrow_isa isa) {
  switch (isa) {
    case narrow_isa_portable: return 1;
#ifdef NARROW_X86
    case narrow_isa_avx2: return has_avx2_fma();
    case narrow_isa_avx512: return has_avx512() && has_avx2_fma();
#endif
    default: return 0;
  }
}

/// The version the entry points run; -1 until first asked (a benign race: every thread
/// computes the same value).
static int chosen = -1;

void narrow_kernels_use(narrow_isa isa) {
  chosen = narrow_isa_supported(isa) ? (int)isa : (int)narrow_isa_portable;
}

narrow_isa narrow_kernels_isa(void) {
  if (chosen < 0) {
    chosen = narrow_isa_supported(narrow_isa_avx512) ? narrow_isa_avx512
           : narrow_isa_supported(narrow_isa_avx2)   ? narrow_isa_avx2
                                                     : narrow_isa_portable;
  }
  return (narrow_isa)chosen;
}

int narrow_kernels_vectorized(void) { return narrow_kernels_isa() != narrow_isa_portable; }

void narrow_dense_forward_with(narrow_isa isa, const float *x, long rows, long k, const float *w,
                               const float *b, long n, float *y, int relu) {
  if (!narrow_isa_supported(isa)) isa = narrow_isa_portable;
#ifdef NARROW_X86
  if (isa == narrow_isa_avx512) {
    forward_avx512(x, rows, k, w, b, n, y, relu);
    return;
  }
  if (isa == narrow_isa_avx2) {
    forward_avx2(x, rows, k, w, b, n, y, relu);
    return;
  }
#endif
  forward_columns(x, rows, k, w, b, n, y, relu, 0);
}

void narrow_dense_backward_with(narrow_isa isa, const float *x, long rows, long k, const float *g,
                                const float *y, long n, long ld, int relu, float *dw, float *db) {
  if (!narrow_isa_supported(isa) || k > NARROW_MAX_INPUT) isa = narrow_isa_portable;
#ifdef NARROW_X86
  if (isa == narrow_isa_avx512) {
    backward_avx512(x, rows, k, g, y, n, ld, relu, dw, db);
    return;
  }
  if (isa == narrow_isa_avx2) {
    backward_avx2(x, rows, k, g, y, n, ld, relu, dw, db);
    return;
  }
#endif
  backward_columns(x, rows, k, g, y, n, ld, relu, dw, db, 0);
}

void narrow_dense_forward(const float *x, long rows, long k, const float *w, const float *b,
                          long n, float *y, int relu) {
  narrow_dense_forward_with(narrow_kernels_isa(), x, rows, k, w, b, n, y, relu);
}

void narrow_dense_backward(const float *x, long rows, long k, const float *g, const float *y,
                           long n, long ld, int relu, float *dw, float *db) {
  narrow_dense_backward_with(narrow_kernels_isa(), x, rows, k, g, y, n, ld, relu, dw, db);
}
