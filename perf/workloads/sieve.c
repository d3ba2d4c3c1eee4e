/* Sieve of Eratosthenes over [0, n]: byte-array stores with strides, then a counting scan (n = limit). */
#include "bench.h"

#define MAX_N (8u << 20)
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 250000;
static uint8_t composite[MAX_N + 1];
static uint64_t count, sum;

void wl_prepare(uint64_t n) {
  for (uint64_t i = 0; i <= n; i++) composite[i] = 0;
}

void wl_kernel(uint64_t n) {
  for (uint64_t i = 2; i * i <= n; i++) {
    if (composite[i]) continue;
    for (uint64_t j = i * i; j <= n; j += i) composite[j] = 1;
  }
  uint64_t c = 0, s = 0;
  for (uint64_t i = 2; i <= n; i++) {
    if (!composite[i]) {
      c++;
      s += i;
    }
  }
  count = c;
  sum = s;
}

uint64_t wl_checksum(uint64_t n) { return mix64(mix64(n, count), sum); }
