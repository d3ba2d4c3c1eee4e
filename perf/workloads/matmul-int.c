/* Integer matrix multiply C = A * B of n x n uint32 matrices (i-k-j order, wrapping arithmetic). */
#include "bench.h"

#define MAX_N 512u
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 80;
static uint32_t A[MAX_N * MAX_N], B[MAX_N * MAX_N], C[MAX_N * MAX_N];
static uint64_t ready;

void wl_prepare(uint64_t n) {
  if (ready != n) {
    uint64_t s = 0xa5a5a5a5deadbeefull;
    for (uint64_t i = 0; i < n * n; i++) A[i] = (uint32_t)(xs64(&s) >> 40);
    for (uint64_t i = 0; i < n * n; i++) B[i] = (uint32_t)(xs64(&s) >> 40);
    ready = n;
  }
  for (uint64_t i = 0; i < n * n; i++) C[i] = 0;
}

void wl_kernel(uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    uint32_t *c = &C[i * n];
    for (uint64_t k = 0; k < n; k++) {
      uint32_t a = A[i * n + k];
      const uint32_t *b = &B[k * n];
      for (uint64_t j = 0; j < n; j++) c[j] += a * b[j];
    }
  }
}

uint64_t wl_checksum(uint64_t n) {
  uint64_t x = n;
  for (uint64_t i = 0; i < n * n; i++) x = mix64(x, C[i]);
  return x;
}
