// Differential test: BT* BSF BSR LZCNT TZCNT POPCNT BSWAP MOVBE CRC32 on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genBitops } from '../oracle/gen/bitops.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: bitops', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('bitops', genBitops(0xb1, 4000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
