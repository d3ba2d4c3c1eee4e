/* Guest driver for a benchmark workload under bmjit: repeat prepare / kernel / checksum, bracket each kernel call
   with writes to the perf marker port (the harness times between them), report the checksum on COM1. */
#include "bench.h"

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20
/* Must match PERF_MARK_PORT in perf/guest-run.ts. */
#define PERF_MARK_PORT 0xe10
#define MARK_START 1
#define MARK_END 2

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory"); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}

static void putc_(char c) {
  while ((inb(COM1_LSR) & LSR_THRE) == 0) {
  }
  outb(COM1, (uint8_t)c);
}

static void puts_(const char *s) {
  while (*s != 0) putc_(*s++);
}

static void puthex(uint64_t v) {
  for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

/* gcc may emit calls to these even in freestanding code (struct copies); the host driver uses libc's. */
void *memcpy(void *d, const void *s, uint64_t n) {
  uint8_t *dp = d;
  const uint8_t *sp = s;
  while (n-- > 0) *dp++ = *sp++;
  return d;
}

void *memset(void *d, int c, uint64_t n) {
  uint8_t *dp = d;
  while (n-- > 0) *dp++ = (uint8_t)c;
  return d;
}

int guest_main(uint64_t n, uint64_t reps);

int guest_main(uint64_t n, uint64_t reps) {
  if (n == 0) n = wl_default_n;
  if (reps == 0) reps = 1;
  if (n > wl_max_n) {
    puts_("bench: size parameter (rdi) too large\n");
    return 2;
  }
  uint64_t first = 0;
  int bad = 0;
  for (uint64_t r = 0; r < reps; r++) {
    wl_prepare(n);
    outb(PERF_MARK_PORT, MARK_START);
    wl_kernel(n);
    outb(PERF_MARK_PORT, MARK_END);
    uint64_t c = wl_checksum(n);
    if (r == 0) first = c;
    else if (c != first) bad = 1;
  }
  puts_("checksum ");
  puthex(first);
  puts_("\n");
  if (bad) puts_("bench: checksum differs between repetitions\n");
  return bad;
}
