// Differential test: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genShift } from '../oracle/gen/shift.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: shift', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('shift', genShift(0x5f, 4000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
