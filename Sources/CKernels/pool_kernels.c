#include "PoolKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define POOL_X86 1
#include <immintrin.h>
#endif

/// Whether `v` replaces the current `value`: `value` is a number and `v` is larger or NaN.
static inline int better(float v, float value) { return value == value && !(v <= value); }

static void windows_portable(const float *top, const float *bottom, long first, long count,
                             long width, int32_t row, int32_t base, float *y, int32_t *argmax) {
  for (long ox = first; ox < first + count; ++ox) {
    const long left = 2 * ox;
    float value = top[left];
    int32_t best = row + (int32_t)left;
    const float candidates[3] = {top[left + 1], bottom[left], bottom[left + 1]};
    const int32_t offsets[3] = {1, (int32_t)width, (int32_t)width + 1};
    for (int k = 0; k < 3; ++k) {
      const int take = better(candidates[k], value);
      best = take ? row + (int32_t)left + offsets[k] : best;
      value = take ? candidates[k] : value;
    }
    y[ox] = value;
    argmax[ox] = base + best;
  }
}

#ifdef POOL_X86
/// Lanes 0 ..< n set (n clamped to 0...8), for masked loads and stores.
__attribute__((target("avx2"))) static inline __m256i first_lanes(long n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < 0 ? 0 : n > 8 ? 8 : n)), lanes);
}

/// The even (`odd` = 0) or odd columns of the first `n` (≤ 16) of 16 consecutive floats, in
/// order; lanes past them read as 0 (and are never stored).
__attribute__((target("avx2"))) static inline __m256 columns(const float *p, int odd, long n) {
  const __m256 a = n >= 16 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, first_lanes(n));
  const __m256 b = n >= 16 ? _mm256_loadu_ps(p + 8) : _mm256_maskload_ps(p + 8, first_lanes(n - 8));
  // [a0 a2 b0 b2 | a4 a6 b4 b6] (or the odd ones), then the 64-bit pairs put in order.
  const __m256 mixed = odd ? _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))
                           : _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}

__attribute__((target("avx2"))) static long windows_avx2(const float *top, const float *bottom,
                                                         long outputs, long width, int32_t row,
                                                         int32_t base, float *y, int32_t *argmax) {
  long ox = 0;
  const __m256i lanes = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  for (; ox < outputs; ox += 8) {
    // Eight windows, or the last 1-7 with masked loads of their 2-14 columns only.
    const long count = outputs - ox < 8 ? outputs - ox : 8;
    const long n = 2 * count;
    const __m256i start = _mm256_add_epi32(lanes, _mm256_set1_epi32(row + (int32_t)(2 * ox)));
    __m256 value = columns(top + 2 * ox, 0, n);
    __m256i best = start;
    const __m256 candidates[3] = {columns(top + 2 * ox, 1, n), columns(bottom + 2 * ox, 0, n),
                                  columns(bottom + 2 * ox, 1, n)};
    const int32_t offsets[3] = {1, (int32_t)width, (int32_t)width + 1};
    for (int k = 0; k < 3; ++k) {
      const __m256 take = _mm256_and_ps(_mm256_cmp_ps(value, value, _CMP_EQ_OQ),
                                        _mm256_cmp_ps(candidates[k], value, _CMP_NLE_UQ));
      value = _mm256_blendv_ps(value, candidates[k], take);
      const __m256i index = _mm256_add_epi32(start, _mm256_set1_epi32(offsets[k]));
      best = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(best),
                                                  _mm256_castsi256_ps(index), take));
    }
    best = _mm256_add_epi32(best, _mm256_set1_epi32(base));
    if (count == 8) {
      _mm256_storeu_ps(y + ox, value);
      _mm256_storeu_si256((__m256i *)(argmax + ox), best);
    } else {
      _mm256_maskstore_ps(y + ox, first_lanes(count), value);
      _mm256_maskstore_epi32((int *)(argmax + ox), first_lanes(count), best);
    }
  }
  return outputs;
}

static int has_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

void max_pool_2x2(const float *x, long planes, long channels, long height, long width, float *y,
                  int32_t *argmax) {
  const long out_height = height / 2, out_width = width / 2;
#ifdef POOL_X86
  const int vector = has_avx2();
#endif
  for (long p = 0; p < planes; ++p) {
    const int32_t base = (int32_t)((p % channels) * height * width);
    const float *xp = x + p * height * width;
    for (long oy = 0; oy < out_height; ++oy) {
      const float *top = xp + 2 * oy * width, *bottom = top + width;
      const int32_t row = (int32_t)(2 * oy * width);
      float *yr = y + (p * out_height + oy) * out_width;
      int32_t *ar = argmax + (p * out_height + oy) * out_width;
      long done = 0;
#ifdef POOL_X86
      if (vector) done = windows_avx2(top, bottom, out_width, width, row, base, yr, ar);
#endif
      windows_portable(top, bottom, done, out_width - done, width, row, base, yr, ar);
    }
  }
}
