// Differential test: XADD CMPXCHG CMPXCHG8B/16B XCHG on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genAtomic } from '../oracle/gen/atomic.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: atomic', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('atomic', genAtomic(0xa7, 3000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
