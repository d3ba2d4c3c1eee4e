// Differential test: MOV/MOVZX/MOVSX/MOVSXD/LEA, stack, flag, control-flow and misc integer instructions.
import { describe, expect, test } from 'vitest';
import { genMisc } from './gen-misc.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: misc', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('misc', genMisc(0x313, 4000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
