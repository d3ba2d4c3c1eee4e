/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven, over n pseudo-random bytes. */
#include "bench.h"

#define MAX_N (16u << 20)
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 500000;
static uint8_t buf[MAX_N];
static uint32_t table[256];
static uint32_t crc;
static uint64_t ready;

void wl_prepare(uint64_t n) {
  if (ready >= n) return;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    table[i] = c;
  }
  uint64_t s = 0x1234567887654321ull;
  for (uint64_t i = 0; i < n; i++) buf[i] = (uint8_t)(xs64(&s) >> 29);
  ready = n;
}

void wl_kernel(uint64_t n) {
  uint32_t c = 0xffffffffu;
  for (uint64_t i = 0; i < n; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
  crc = ~c;
}

uint64_t wl_checksum(uint64_t n) { return mix64(n, crc); }
