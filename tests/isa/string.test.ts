// Differential test: MOVS STOS LODS CMPS SCAS with REP/REPE/REPNE on the host CPU vs bmjit.
import { describe, expect, test } from 'vitest';
import { genString } from '../oracle/gen/string.js';
import { genStringBulk } from './gen-string-bulk.js';
import { compareFamily, firstMismatches } from './harness.js';

describe('isa: string', () => {
  test('host vs emulator', () => {
    for (const r of compareFamily('string', genString(0x57, 3000))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);

  test('REP MOVS/STOS bulk paths: long, overlapping, page-crossing, faulting', () => {
    for (const r of compareFamily('string-bulk', genStringBulk(0x5b, 1500))) {
      expect(r.defined.length, firstMismatches(r.defined)).toBe(0);
      expect(r.undefinedOnly.length, firstMismatches(r.undefinedOnly)).toBe(0);
    }
  }, 120_000);
});
