// Differential test: MUL IMUL(1/2/3) DIV IDIV incl. #DE on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genMulDiv } from '../oracle/gen/muldiv.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: muldiv', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('muldiv', genMulDiv(0x3d, 4000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
