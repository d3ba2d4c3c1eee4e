/* Native driver for a benchmark workload: the same workload object as the guest, timed with clock_gettime
   around each kernel call. Usage: host_NAME N REPS. Prints "checksum HEX", then "ns T1 T2 ..." (wall clock,
   CLOCK_MONOTONIC) and "cpu_ns T1 T2 ..." (CLOCK_PROCESS_CPUTIME_ID), one time per repetition. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "bench.h"

static uint64_t now_ns(clockid_t clk) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s N REPS\n", argv[0]);
    return 2;
  }
  uint64_t n = strtoull(argv[1], NULL, 0);
  uint64_t reps = strtoull(argv[2], NULL, 0);
  if (n == 0 || n > wl_max_n || reps == 0 || reps > 100000) {
    fprintf(stderr, "%s: bad parameters (N 1..%llu, REPS >= 1)\n", argv[0], (unsigned long long)wl_max_n);
    return 2;
  }
  uint64_t *ns = calloc(reps, sizeof *ns);
  uint64_t *cpu_ns = calloc(reps, sizeof *cpu_ns);
  uint64_t first = 0;
  int bad = 0;
  for (uint64_t r = 0; r < reps; r++) {
    wl_prepare(n);
    uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    wl_kernel(n);
    ns[r] = now_ns(CLOCK_MONOTONIC) - t0;
    cpu_ns[r] = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
    uint64_t c = wl_checksum(n);
    if (r == 0) first = c;
    else if (c != first) bad = 1;
  }
  printf("checksum %016llx\n", (unsigned long long)first);
  printf("ns");
  for (uint64_t r = 0; r < reps; r++) printf(" %llu", (unsigned long long)ns[r]);
  printf("\ncpu_ns");
  for (uint64_t r = 0; r < reps; r++) printf(" %llu", (unsigned long long)cpu_ns[r]);
  printf("\n");
  if (bad) fprintf(stderr, "%s: checksum differs between repetitions\n", argv[0]);
  return bad;
}
