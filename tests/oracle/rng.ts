// Seeded xorshift32 for the randomised tests, so a failure reproduces from its seed.

/** A generator of numbers in [0, 1) from `seed`. */
export function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
