#ifndef HEAP_STATISTICS_H
#define HEAP_STATISTICS_H
#include <stddef.h>
/// Bytes currently allocated through malloc (glibc mallinfo2), or 0 where unavailable.
size_t heap_allocated_bytes(void);
#endif
