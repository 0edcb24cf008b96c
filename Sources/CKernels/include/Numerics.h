#ifndef TRACK_NUMERICS_H
#define TRACK_NUMERICS_H

/// Denormals flushed to zero on the calling thread: on x86 the FTZ (results) and DAZ
/// (inputs) bits of MXCSR, 0x8040, as TensorFlow sets on CPU. Later tasks of a continual
/// stream push small weights and gradients into the denormal range, where each operation
/// takes a microcode assist and training slows 3-5x; flushed, they become 0.
///
/// `enable` != 0 sets both bits, 0 clears both. Returns the previous state (the whole MXCSR
/// on x86) to hand to `track_restore_denormals`. Elsewhere (no MXCSR) both are no-ops and
/// this returns 0.
unsigned int track_flush_denormals(int enable);

/// Puts back the state `track_flush_denormals` returned.
void track_restore_denormals(unsigned int previous);

/// Whether both bits are set on the calling thread (0 where there is no MXCSR).
int track_denormals_flushed(void);

/// The CPU model (the first "model name" of /proc/cpuinfo) copied into `buffer` of `size`
/// bytes, NUL-terminated; "unknown" when it cannot be read.
void track_cpu_model(char *buffer, int size);

#endif
