/* bench.h: the contract between a benchmark workload and its two drivers (guest_main.c under bmjit,
   host_main.c natively). Both drivers link the SAME workload object file, so the timed code is identical. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

/* Largest size parameter the workload's static buffers allow. */
extern const uint64_t wl_max_n;
/* Size used when the guest is started without one (`bmjit bare` leaves rdi = 0); the harness always passes n. */
extern const uint64_t wl_default_n;
/* Build the inputs for size n (not timed). Called before every repetition; kernels that do not modify their
   inputs may skip the work after the first call. */
void wl_prepare(uint64_t n);
/* The timed part. */
void wl_kernel(uint64_t n);
/* A digest of the kernel's result (not timed). Must be the same for every repetition. */
uint64_t wl_checksum(uint64_t n);

/* xorshift64: deterministic inputs without libc. */
static inline uint64_t xs64(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

/* Fold a value into a running digest (a multiply-xorshift mix; any bit change spreads). */
static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 31);
}
#endif
