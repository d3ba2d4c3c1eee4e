/* Large copies: rep movsb (aligned and misaligned), rep movsq, and a C word loop, over n-byte buffers. */
#include "bench.h"

#define MAX_N (32u << 20)
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 2000000;
/* One arena, so the distance between the buffers is fixed: MAX_N + 20 KiB keeps source and destination pages from
   sharing a slot in a direct-mapped TLB indexed by page number mod 16384 (a 64 MiB multiple would alias). */
static uint8_t arena[2 * MAX_N + 64 + 5 * 4096] __attribute__((aligned(4096)));
#define dst (arena + 64)
#define src (arena + 64 + MAX_N + 5 * 4096)
static uint64_t ready;

static void rep_movsb(void *d, const void *s, uint64_t n) {
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static void rep_movsq(void *d, const void *s, uint64_t n) {
  __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

void wl_prepare(uint64_t n) {
  if (ready != n) {
    uint64_t s = 0x1111222233334444ull;
    for (uint64_t i = 0; i < n + 64; i += 8) *(uint64_t *)(src + i) = xs64(&s);
    ready = n;
  }
  for (uint64_t i = 0; i < n + 64; i += 8) *(uint64_t *)(dst + i) = 0;
}

void wl_kernel(uint64_t n) {
  rep_movsb(dst, src, n);
  rep_movsb(dst + 3, src + 17, n - 32);
  rep_movsq(dst + 8, src + 40, n / 8 - 8);
  /* Word loop, back to front, folding in the previous contents so each copy is observable in the result. */
  uint64_t *d = (uint64_t *)dst;
  const uint64_t *s = (const uint64_t *)src;
  for (uint64_t i = n / 8; i-- > 0;) d[i] ^= s[i] + i;
}

uint64_t wl_checksum(uint64_t n) {
  uint64_t x = n;
  for (uint64_t i = 0; i < n + 64; i += 8) x = mix64(x, *(const uint64_t *)(dst + i));
  return x;
}
