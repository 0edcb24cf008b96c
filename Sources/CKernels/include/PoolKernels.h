#ifndef TRACK_POOL_KERNELS_H
#define TRACK_POOL_KERNELS_H

#include <stdint.h>

/// Max pooling of 2 x 2 windows by 2 over `planes` planes of `height` x `width` floats (CHW
/// samples of `channels` planes each, back to back): writes each window's maximum to `y`
/// ((height / 2) x (width / 2) per plane) and, to `argmax`, its index within the sample
/// (plane % channels planes in). The first maximum of the window (row by row) wins; NaN wins
/// over numbers, so a diverging run shows NaN. AVX2 eight windows at a time where the CPU has
/// it, portable C otherwise; both choose the same element.
void max_pool_2x2(const float *x, long planes, long channels, long height, long width, float *y,
                  int32_t *argmax);

#endif
