#include "Peak.h"

#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/// Chains kept in flight: FMA latency (4-5 cycles) times pipes (2) is at most 10 on the CPUs
/// we know; 12 leaves room and fits in 16 YMM (AVX2) or 32 ZMM registers.
#define CHAINS 12
#define INNER 1000

/// Keeps the compiler from folding the loop: the result is stored where it cannot see.
static volatile float sink;

static double scalar_round(long iterations) {
  float a[CHAINS];
  for (int j = 0; j < CHAINS; ++j) a[j] = 1.0f + (float)j * 1e-3f;
  const float m = 0.999999f, c = 1e-7f;
  for (long i = 0; i < iterations; ++i) {
    for (int r = 0; r < INNER; ++r) {
      for (int j = 0; j < CHAINS; ++j) a[j] = a[j] * m + c;
    }
  }
  float s = 0;
  for (int j = 0; j < CHAINS; ++j) s += a[j];
  sink = s;
  return 2.0 * CHAINS * INNER * (double)iterations;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static double avx2_round(long iterations) {
  __m256 a[CHAINS];
  for (int j = 0; j < CHAINS; ++j) a[j] = _mm256_set1_ps(1.0f + (float)j * 1e-3f);
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iterations; ++i) {
    for (int r = 0; r < INNER; ++r) {
      for (int j = 0; j < CHAINS; ++j) a[j] = _mm256_fmadd_ps(a[j], m, c);
    }
  }
  __m256 s = a[0];
  for (int j = 1; j < CHAINS; ++j) s = _mm256_add_ps(s, a[j]);
  float out[8];
  _mm256_storeu_ps(out, s);
  sink = out[0];
  return 2.0 * 8 * CHAINS * INNER * (double)iterations;
}

__attribute__((target("avx512f"))) static double avx512_round(long iterations) {
  __m512 a[CHAINS];
  for (int j = 0; j < CHAINS; ++j) a[j] = _mm512_set1_ps(1.0f + (float)j * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iterations; ++i) {
    for (int r = 0; r < INNER; ++r) {
      for (int j = 0; j < CHAINS; ++j) a[j] = _mm512_fmadd_ps(a[j], m, c);
    }
  }
  __m512 s = a[0];
  for (int j = 1; j < CHAINS; ++j) s = _mm512_add_ps(s, a[j]);
  sink = _mm512_reduce_add_ps(s);
  return 2.0 * 16 * CHAINS * INNER * (double)iterations;
}

int peak_isa_supported(peak_isa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case peak_isa_scalar: return 1;
    case peak_isa_avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case peak_isa_avx512: return __builtin_cpu_supports("avx512f");
  }
  return 0;
}
#else
int peak_isa_supported(peak_isa isa) { return isa == peak_isa_scalar; }
#endif

static double run_round(peak_isa isa, long iterations) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (isa == peak_isa_avx512) return avx512_round(iterations);
  if (isa == peak_isa_avx2) return avx2_round(iterations);
#endif
  return scalar_round(iterations);
}

double peak_gflops(peak_isa isa, double seconds) {
  if (!peak_isa_supported(isa)) return 0;
  // Calibrate a round of about a tenth of the time, then keep the best of the rounds (a
  // round the scheduler interrupted is slower, never faster).
  long iterations = 1;
  for (;;) {
    const double start = now();
    run_round(isa, iterations);
    if (now() - start > 0.02 || iterations > (1L << 40)) break;
    iterations *= 2;
  }
  double best = 0;
  const double end = now() + seconds;
  do {
    const double start = now();
    const double flops = run_round(isa, iterations);
    const double rate = flops / (now() - start) / 1e9;
    if (rate > best) best = rate;
  } while (now() < end);
  return best;
}
