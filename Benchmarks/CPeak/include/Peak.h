#ifndef TRACK_PEAK_H
#define TRACK_PEAK_H

/// The fp32 fused multiply-add peak of one core, measured: independent FMA chains in
/// registers, enough of them to cover the FMA latency on every pipe, for about `seconds`
/// (best of several rounds). FLOPs count 2 per FMA lane. The benchmarks print their GFLOP/s
/// as a share of this figure, so "share of peak" is against the machine they ran on.

/// Instruction sets of the measurement.
typedef enum {
  peak_isa_scalar = 0,  ///< scalar multiply and add (no FMA assumed)
  peak_isa_avx2 = 1,    ///< 256-bit FMA (AVX2 + FMA)
  peak_isa_avx512 = 2,  ///< 512-bit FMA (AVX-512 F)
} peak_isa;

/// Whether this CPU (and OS) runs `isa`.
int peak_isa_supported(peak_isa isa);

/// GFLOP/s of one thread for `isa` over about `seconds`; 0 when the CPU cannot run it.
double peak_gflops(peak_isa isa, double seconds);

#endif
