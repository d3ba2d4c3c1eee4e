// Differential test: integer ALU (ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT) on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genAlu } from '../oracle/gen/alu.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: alu', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('alu', genAlu(0xa1, 4000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
