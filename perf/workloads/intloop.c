/* Integer loop workload: C glue around the assembly kernel in intloop.s (n = iterations). */
#include "bench.h"

uint64_t intloop_kernel(uint64_t iterations);

const uint64_t wl_max_n = 1ull << 40;
const uint64_t wl_default_n = 2000000;
static uint64_t result;

void wl_prepare(uint64_t n) { (void)n; }

void wl_kernel(uint64_t n) { result = intloop_kernel(n); }

uint64_t wl_checksum(uint64_t n) { return mix64(n, result); }
