/* Double-precision matrix multiply C = A * B of n x n matrices (SSE2 scalar/packed doubles, i-k-j order). */
#include "bench.h"

#define MAX_N 512u
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 75;
static double A[MAX_N * MAX_N], B[MAX_N * MAX_N], C[MAX_N * MAX_N];
static uint64_t ready;

static double unit(uint64_t *s) { return (double)(xs64(s) >> 11) * (1.0 / 9007199254740992.0) - 0.5; }

void wl_prepare(uint64_t n) {
  if (ready != n) {
    uint64_t s = 0x0123456789abcdefull;
    for (uint64_t i = 0; i < n * n; i++) A[i] = unit(&s);
    for (uint64_t i = 0; i < n * n; i++) B[i] = unit(&s);
    ready = n;
  }
  for (uint64_t i = 0; i < n * n; i++) C[i] = 0.0;
}

void wl_kernel(uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    double *c = &C[i * n];
    for (uint64_t k = 0; k < n; k++) {
      double a = A[i * n + k];
      const double *b = &B[k * n];
      for (uint64_t j = 0; j < n; j++) c[j] += a * b[j];
    }
  }
}

uint64_t wl_checksum(uint64_t n) {
  uint64_t x = n;
  for (uint64_t i = 0; i < n * n; i++) {
    union { double d; uint64_t u; } v = {C[i]};
    x = mix64(x, v.u);
  }
  return x;
}
