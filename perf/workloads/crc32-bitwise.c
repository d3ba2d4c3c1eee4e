/* CRC-32 (IEEE 802.3, reflected), one bit at a time with a branch-free mask: shifts, ands and xors only. */
#include "bench.h"

#define MAX_N (4u << 20)
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 64000;
static uint8_t buf[MAX_N];
static uint32_t crc;
static uint64_t ready;

void wl_prepare(uint64_t n) {
  if (ready >= n) return;
  uint64_t s = 0x0badc0ffee0ddf00ull;
  for (uint64_t i = 0; i < n; i++) buf[i] = (uint8_t)(xs64(&s) >> 31);
  ready = n;
}

void wl_kernel(uint64_t n) {
  uint32_t c = 0xffffffffu;
  for (uint64_t i = 0; i < n; i++) {
    c ^= buf[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  crc = ~c;
}

uint64_t wl_checksum(uint64_t n) { return mix64(n, crc); }
