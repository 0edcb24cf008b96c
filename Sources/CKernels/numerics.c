#include "Numerics.h"

#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

enum { flush_bits = 0x8040 };  // FTZ (bit 15) | DAZ (bit 6)

unsigned int track_flush_denormals(int enable) {
  unsigned int previous = _mm_getcsr();
  unsigned int next = enable ? (previous | flush_bits) : (previous & ~(unsigned int)flush_bits);
  _mm_setcsr(next);
  return previous;
}

void track_restore_denormals(unsigned int previous) {
  // Only the two bits: exception flags raised meanwhile stay as they are.
  _mm_setcsr((_mm_getcsr() & ~(unsigned int)flush_bits) | (previous & flush_bits));
}

int track_denormals_flushed(void) { return (_mm_getcsr() & flush_bits) == flush_bits; }
#else
unsigned int track_flush_denormals(int enable) {
  (void)enable;
  return 0;
}

void track_restore_denormals(unsigned int previous) { (void)previous; }

int track_denormals_flushed(void) { return 0; }
#endif

void track_cpu_model(char *buffer, int size) {
  if (buffer == NULL || size <= 0) return;
  snprintf(buffer, (size_t)size, "unknown");
  FILE *file = fopen("/proc/cpuinfo", "r");
  if (file == NULL) return;
  char line[512];
  while (fgets(line, sizeof line, file) != NULL) {
    if (strncmp(line, "model name", 10) != 0) continue;
    char *value = strchr(line, ':');
    if (value == NULL) continue;
    value += 1;
    while (*value == ' ' || *value == '\t') value += 1;
    size_t length = strcspn(value, "\n");
    while (length > 0 && (value[length - 1] == ' ' || value[length - 1] == '\t')) length -= 1;
    if (length > 0) snprintf(buffer, (size_t)size, "%.*s", (int)length, value);
    break;
  }
  fclose(file);
}
