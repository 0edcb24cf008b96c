#include "BlasCore.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__linux__)
#include <dlfcn.h>
#endif
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#define BLAS_CORE_X86 1
#endif

static blas_core_source choice = blas_core_source_openblas;
static char replaced[32];

#ifdef BLAS_CORE_X86
static unsigned long long xcr0(void) {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}
#endif

blas_level blas_cpu_level(void) {
#ifdef BLAS_CORE_X86
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return blas_level_baseline;
  const int avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1;
  if (!avx || !osxsave) return blas_level_baseline;
  const unsigned long long state = xcr0();
  if ((state & 0x6) != 0x6) return blas_level_baseline;  // XMM and YMM saved
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return blas_level_avx;
  const int avx2 = (ebx >> 5) & 1;
  if (!avx2 || !fma) return blas_level_avx;
  // F (16), DQ (17), CD (28), BW (30), VL (31); opmask, ZMM0-15 high and ZMM16-31 saved.
  const unsigned int avx512 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
  if ((ebx & avx512) == avx512 && (state & 0xe0) == 0xe0) return blas_level_avx512;
  return blas_level_avx2;
#else
  return blas_level_baseline;
#endif
}

int blas_cpu_has_avx512_bf16(void) {
#ifdef BLAS_CORE_X86
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
  return (eax >> 5) & 1;
#else
  return 0;
#endif
}

blas_level blas_core_level(const char *core) {
  if (core == NULL) return blas_level_baseline;
  static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
  static const char *const avx2[] = {"Haswell", "Zen", "Excavator"};
  static const char *const avx[] = {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller"};
  for (size_t i = 0; i < sizeof avx512 / sizeof *avx512; ++i)
    if (strcasecmp(core, avx512[i]) == 0) return blas_level_avx512;
  for (size_t i = 0; i < sizeof avx2 / sizeof *avx2; ++i)
    if (strcasecmp(core, avx2[i]) == 0) return blas_level_avx2;
  for (size_t i = 0; i < sizeof avx / sizeof *avx; ++i)
    if (strcasecmp(core, avx[i]) == 0) return blas_level_avx;
  return blas_level_baseline;
}

const char *blas_core_better_than(const char *picked, blas_level cpu, int bf16) {
  if (picked == NULL || blas_core_level(picked) >= cpu) return NULL;
  switch (cpu) {
    case blas_level_avx512: return bf16 ? "Cooperlake" : "SkylakeX";
    case blas_level_avx2: return "Haswell";
    case blas_level_avx: return "Sandybridge";
    default: return NULL;
  }
}

blas_core_source blas_core_choice(void) { return choice; }

const char *blas_core_replaced(void) { return replaced; }

#if defined(__linux__)
/// Runs before `main`, after OpenBLAS's constructor (it is a library of the executable).
__attribute__((constructor)) static void choose_blas_core(void) {
  if (getenv("OPENBLAS_CORETYPE") != NULL) {
    choice = blas_core_source_user;
    return;
  }
  char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
  void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (corename == NULL || quit == NULL || init == NULL) return;
  const char *picked = corename();
  const char *better = blas_core_better_than(picked, blas_cpu_level(), blas_cpu_has_avx512_bf16());
  if (better == NULL) return;
  snprintf(replaced, sizeof replaced, "%s", picked);
  // gotoblas_dynamic_init reads OPENBLAS_CORETYPE; it is unset again at once so that child
  // processes (a sweep's runs, a user's program under `track exec`) decide for themselves.
  setenv("OPENBLAS_CORETYPE", better, 1);
  quit();
  init();
  unsetenv("OPENBLAS_CORETYPE");
  choice = blas_core_source_cpu_features;
}
#endif
