// Differential test: CMOVcc SETcc Jcc on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genCond } from '../oracle/gen/cond.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: cond', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('cond', genCond(0xc0, 3000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
