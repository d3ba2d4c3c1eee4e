// Segment-register loads (SDM Vol. 2 MOV Sreg; Vol. 3 §3.4, §5.5-5.7): real-mode loads, every protected-mode check
// and its error code, the accessed bit, LDT selectors, and the derived mode slots.
import { describe, it, expect, beforeEach } from 'vitest';
import { makeMachine, TM, expectFault, enterFlat32, enterLong, writeDesc, desc } from './helpers.js';
import { loadSegment, DS, SS, ES, FS, GS } from '../../machine/cpu/segments.js';
import { SEG_SEL, SEG_BASE_F, SEG_LIMIT, SEG_ATTR, CODE_BITS, STACK_SIZE, CPL, SEG_LDTR } from '../../machine/cpu/state.js';

const GP = 13, NP = 11, SSF = 12;
const GDT = 0x1000;

describe('real-mode loads', () => {
  it('base = selector * 16, limit kept (unreal mode), present writable data attributes', () => {
    const m = makeMachine();
    const s = m.cpu.i32;
    s[SEG_LIMIT(DS)] = -1; // as left by protected mode
    loadSegment(m.cpu, DS, 0x1234);
    expect(s[SEG_SEL(DS)]).toBe(0x1234);
    expect(m.cpu.f64[SEG_BASE_F(DS)]).toBe(0x12340);
    expect(s[SEG_LIMIT(DS)]).toBe(-1);
    expect(s[SEG_ATTR(DS)] & 0xff).toBe(0x93);
    expect(s[CODE_BITS]).toBe(16);
    expect(s[STACK_SIZE]).toBe(2);
  });
});

describe('protected-mode loads', () => {
  let m: TM;
  beforeEach(() => {
    m = makeMachine();
    enterFlat32(m, GDT);
    writeDesc(m.mem, GDT, 5, desc(0x12345678, 0xfff, 0x13, 0)); // data DPL0 base 0x12345678, accessed
    writeDesc(m.mem, GDT, 6, desc(0, 0xffff, 0x12, 3, { db: false })); // data DPL3, 16-bit, not yet accessed
    writeDesc(m.mem, GDT, 7, desc(0, 0xffff, 0x18, 0)); // execute-only code
    writeDesc(m.mem, GDT, 8, desc(0, 0xffff, 0x1a, 0)); // readable code DPL0
    writeDesc(m.mem, GDT, 9, desc(0, 0xffff, 0x1e, 0)); // conforming readable code DPL0
    writeDesc(m.mem, GDT, 10, desc(0, 0xffff, 0x12, 0, { p: false })); // not present data
    writeDesc(m.mem, GDT, 11, desc(0, 0xffff, 0x10, 0)); // read-only data
    writeDesc(m.mem, GDT, 12, desc(0, 0x67, 0x09, 0)); // TSS (system)
    writeDesc(m.mem, GDT, 13, desc(0x8000, 0xfff, 0x16, 0, { db: true })); // expand-down writable data
  });

  it('loads base, byte-granular limit and attributes', () => {
    loadSegment(m.cpu, ES, 0x28);
    const s = m.cpu.i32;
    expect(m.cpu.f64[SEG_BASE_F(ES)]).toBe(0x12345678);
    expect(s[SEG_LIMIT(ES)]).toBe(0xfff);
    expect(s[SEG_ATTR(ES)] & 0xff).toBe(0x93);
    loadSegment(m.cpu, GS, 0x10);
    expect(s[SEG_LIMIT(GS)]).toBe(-1); // 4 GiB with G
  });

  it('sets the accessed bit in the descriptor', () => {
    expect((m.mem.read32(GDT + 6 * 8 + 4) >>> 8) & 1).toBe(0);
    loadSegment(m.cpu, DS, 0x33);
    expect((m.mem.read32(GDT + 6 * 8 + 4) >>> 8) & 1).toBe(1);
  });

  it('null selectors: fine for DS..GS (then unusable), #GP(0) for SS', () => {
    loadSegment(m.cpu, DS, 3);
    expect(m.cpu.i32[SEG_SEL(DS)]).toBe(3);
    expect(m.cpu.i32[SEG_ATTR(DS)] & 0x80).toBe(0);
    expect(() => m.cpu.rd8(0)).not.toThrow(); // raw linear access is unaffected ...
    expectFault(() => loadSegment(m.cpu, SS, 0), GP, 0);
  });

  it('selector beyond the GDT limit, or into an absent LDT: #GP(selector)', () => {
    expectFault(() => loadSegment(m.cpu, DS, 0x100), GP, 0x100);
    expectFault(() => loadSegment(m.cpu, DS, 0x0c), GP, 0x0c); // TI = 1, no LDT
  });

  it('type and privilege checks', () => {
    expectFault(() => loadSegment(m.cpu, DS, 0x38), GP, 0x38); // execute-only code
    loadSegment(m.cpu, DS, 0x40); // readable code is fine
    loadSegment(m.cpu, FS, 0x48); // conforming
    expectFault(() => loadSegment(m.cpu, DS, 0x60), GP, 0x60); // system descriptor
    expectFault(() => loadSegment(m.cpu, SS, 0x58), GP, 0x58); // read-only data as SS
    expectFault(() => loadSegment(m.cpu, SS, 0x40), GP, 0x40); // code as SS
    expectFault(() => loadSegment(m.cpu, SS, 0x33), GP, 0x30); // DPL 3 != CPL 0 (error code has no RPL)
    // At CPL 3: DPL 0 data is out of reach, also through RPL.
    m.cpu.setCpl(3);
    expectFault(() => loadSegment(m.cpu, DS, 0x10), GP, 0x10);
    loadSegment(m.cpu, DS, 0x33);
    loadSegment(m.cpu, ES, 0x4b); // conforming code: no DPL check
    expectFault(() => loadSegment(m.cpu, SS, 0x30), GP, 0x30); // RPL 0 != CPL 3
    loadSegment(m.cpu, SS, 0x33);
    expect(m.cpu.i32[STACK_SIZE]).toBe(2); // B = 0 in that descriptor
    m.cpu.setCpl(0);
    expectFault(() => loadSegment(m.cpu, DS, 0x2b), GP, 0x28); // RPL 3 > DPL 0
  });

  it('not present: #NP(selector) for data registers, #SS(selector) for SS', () => {
    expectFault(() => loadSegment(m.cpu, DS, 0x50), NP, 0x50);
    expectFault(() => loadSegment(m.cpu, SS, 0x50), SSF, 0x50);
  });

  it('a fault changes nothing', () => {
    loadSegment(m.cpu, DS, 0x28);
    expectFault(() => loadSegment(m.cpu, DS, 0x50), NP, 0x50);
    expect(m.cpu.i32[SEG_SEL(DS)]).toBe(0x28);
    expect(m.cpu.f64[SEG_BASE_F(DS)]).toBe(0x12345678);
  });

  it('expand-down segments are checked from the limit up, and B gives a 32-bit stack', () => {
    loadSegment(m.cpu, SS, 0x68);
    expect(m.cpu.i32[STACK_SIZE]).toBe(4);
  });

  it('LDT selectors after LLDT-style setup', () => {
    const LDT = 0x3000;
    writeDesc(m.mem, LDT, 1, desc(0x5000, 0xff, 0x13, 0));
    const s = m.cpu.i32;
    s[SEG_SEL(SEG_LDTR)] = 0x70;
    m.cpu.f64[SEG_BASE_F(SEG_LDTR)] = LDT;
    s[SEG_LIMIT(SEG_LDTR)] = 0xf;
    s[SEG_ATTR(SEG_LDTR)] = 0x82;
    loadSegment(m.cpu, DS, 0x0c);
    expect(m.cpu.f64[SEG_BASE_F(DS)]).toBe(0x5000);
    expectFault(() => loadSegment(m.cpu, DS, 0x14), GP, 0x14); // beyond the LDT limit
  });
});

describe('64-bit mode', () => {
  it('null SS is allowed at CPL < 3 with RPL = CPL; FS/GS bases come from the descriptor (32 bits)', () => {
    const m = makeMachine();
    enterLong(m, { gdt: GDT });
    expect(m.cpu.i32[CODE_BITS]).toBe(64);
    loadSegment(m.cpu, SS, 0);
    expect(m.cpu.i32[SEG_SEL(SS)]).toBe(0);
    expectFault(() => loadSegment(m.cpu, SS, 3), GP, 0);
    writeDesc(m.mem, GDT, 7, desc(0xabcd0000, 0xfffff, 0x13, 0));
    loadSegment(m.cpu, FS, 0x38);
    expect(m.cpu.f64[SEG_BASE_F(FS)]).toBe(0xabcd0000);
    m.cpu.setCpl(3);
    m.cpu.i32[CPL] = 3;
    expectFault(() => loadSegment(m.cpu, SS, 3), GP, 0);
  });
});
