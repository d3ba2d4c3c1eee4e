// The benchmark workloads (perf/workloads/*.c, built by perf/build.mjs) and their sizes: `n` is each workload's
// size parameter (see the .c file), `quick` the --quick size. Sizes keep a full `npm run perf` within minutes on a
// busy 2-core machine; the interpreter tier bounds them (it runs about 20-50 MIPS).
export interface Workload {
  name: string;
  /** What the kernel stresses (printed in the README table). */
  what: string;
  n: number;
  quick: number;
}

export const WORKLOADS: Workload[] = [
  { name: 'intloop', what: 'asm add/xor/dec/jnz, n iterations', n: 12_000_000, quick: 2_000_000 },
  { name: 'sieve', what: 'Eratosthenes, byte array to n', n: 1_500_000, quick: 250_000 },
  { name: 'crc32', what: 'table-driven CRC-32 of n bytes', n: 3_000_000, quick: 500_000 },
  { name: 'crc32-bitwise', what: 'bitwise CRC-32 of n bytes', n: 400_000, quick: 64_000 },
  { name: 'sha256', what: 'SHA-256 of n bytes', n: 600_000, quick: 100_000 },
  { name: 'matmul-int', what: 'n x n uint32 matrix multiply', n: 160, quick: 80 },
  { name: 'matmul-f64', what: 'n x n double matrix multiply', n: 150, quick: 75 },
  { name: 'quicksort', what: 'quicksort of n uint32 keys', n: 200_000, quick: 40_000 },
  { name: 'linked-list', what: 'n random-order nodes, 16 walks', n: 200_000, quick: 40_000 },
  { name: 'memcpy', what: 'rep movsb/movsq + word loop, n bytes', n: 8_000_000, quick: 2_000_000 },
  { name: 'nbody', what: '5-body SSE2 doubles, n steps', n: 60_000, quick: 10_000 },
];

/**
 * Short runs: a whole guest run (setup, one kernel call, checksum, exit) at a small size, timed from the first
 * instruction to the exit, interpreter against the default tiered engine. The JIT's warm-up must not make these
 * slower than the interpreter.
 */
export const SHORT_RUNS: Array<{ name: string; n: number }> = [
  { name: 'sha256', n: 4096 },
  { name: 'quicksort', n: 3000 },
  { name: 'crc32', n: 30_000 },
  { name: 'nbody', n: 400 },
];
