// Paging (SDM Vol. 3 §4.3-4.10): walks for every page size and mode, access rights, #PF error codes and CR2,
// accessed/dirty write-back, reserved bits, and the software-TLB rules of docs/cpu.md.
import { describe, it, expect, beforeEach } from 'vitest';
import { makeMachine, TM, expectFault, Access } from './helpers.js';
import { CR0, CR2_F, CR4, EFER, CPL, Cr0, Cr4, Efer } from '../../machine/cpu/state.js';
import { writeCr0, writeCr3, writeCr4, writeEfer } from '../../machine/cpu/control.js';
import { TLB_MASK, TLB_EMPTY } from '../../machine/cpu/cpu.js';
import type { Cpu } from '../../machine/cpu/cpu.js';

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
const XD = 0x80000000 | 0;
const PF = 14, GP = 13;

function tr(cpu: Cpu, lin: number, acc: Access, sup = false): number {
  return cpu.mmu.translate(cpu, lin, acc, sup);
}

function pfErr(m: TM, lin: number, acc: Access, sup = false): number {
  const f = expectFault(() => tr(m.cpu, lin, acc, sup), PF);
  expect(m.cpu.f64[CR2_F]).toBe(lin);
  return f.errorCode;
}

const slot = (lin: number): number => Math.floor(lin / 4096) & TLB_MASK;

describe('paging off', () => {
  it('maps linear to physical and fills the TLB for RAM only', () => {
    const m = makeMachine();
    expect(tr(m.cpu, 0x12345, Access.Write)).toBe(0x12345);
    const i = slot(0x12345);
    expect(m.cpu.tlbSup.tagR[i]).toBe(0x12);
    expect(m.cpu.tlbSup.tagW[i]).toBe(0x12);
    expect(m.cpu.tlbSup.off[i]).toBe(0x12000);
    // 0xFEE00000 is not RAM: translated but never cached.
    expect(tr(m.cpu, 0xfee00010, Access.Read)).toBe(0xfee00010);
    expect(m.cpu.tlbSup.tagR[slot(0xfee00010)]).not.toBe(0xfee00);
  });
});

describe('32-bit paging', () => {
  let m: TM;
  const PD = 0x20000, PT = 0x21000;
  beforeEach(() => {
    m = makeMachine();
    m.cpu.i32[CR0] = Cr0.PE | Cr0.ET;
    writeCr3(m.cpu, PD, 0);
    m.mem.write32(PD + 0 * 4, PT | P | RW | US);
    m.mem.write32(PT + 5 * 4, 0x345000 | P | RW | US);
    m.mem.write32(PT + 6 * 4, 0x346000 | P | US); // read-only user page
    m.mem.write32(PT + 7 * 4, 0x347000 | P | RW); // supervisor page
    writeCr0(m.cpu, Cr0.PE | Cr0.PG | Cr0.ET);
  });

  it('walks a 4 KiB page, sets A on PDE and PTE, D only on write, and fills tagW only when dirty', () => {
    expect(tr(m.cpu, 0x5123, Access.Read)).toBe(0x345123);
    expect(m.mem.read32(PD) & A).toBe(A);
    expect(m.mem.read32(PT + 20) & (A | D)).toBe(A);
    const i = slot(0x5000);
    expect(m.cpu.tlbSup.tagR[i]).toBe(5);
    expect(m.cpu.tlbSup.tagX[i]).toBe(5);
    expect(m.cpu.tlbSup.tagW[i]).toBe(TLB_EMPTY);
    expect(tr(m.cpu, 0x5ffc, Access.Write)).toBe(0x345ffc);
    expect(m.mem.read32(PT + 20) & (A | D)).toBe(A | D);
    expect(m.cpu.tlbSup.tagW[i]).toBe(5);
    // The CPU's fast path now hits: a store lands in RAM without another walk.
    m.cpu.wr32(0x5010, 0x11223344);
    expect(m.mem.read32(0x345010)).toBe(0x11223344);
  });

  it('not-present, write-protect, user and WP error codes with CR2', () => {
    expect(pfErr(m, 0x400000, Access.Read)).toBe(0); // PDE 1 not present
    expect(pfErr(m, 0x8000, Access.Write)).toBe(2); // PTE 8 not present, write
    m.cpu.setCpl(3);
    expect(pfErr(m, 0x7000, Access.Read)).toBe(4 | 1); // user read of supervisor page
    expect(pfErr(m, 0x6000, Access.Write)).toBe(4 | 2 | 1); // user write of read-only page
    expect(pfErr(m, 0x9000, Access.Exec)).toBe(4); // no I/D bit without PAE+NXE or SMEP
    // An implicit supervisor access (descriptor tables) at CPL 3 may touch supervisor pages.
    expect(tr(m.cpu, 0x7004, Access.Read, true)).toBe(0x347004);
    m.cpu.setCpl(0);
    // Supervisor writes to a read-only page: allowed with WP = 0, #PF(P|W) with WP = 1.
    expect(tr(m.cpu, 0x6008, Access.Write)).toBe(0x346008);
    writeCr0(m.cpu, Cr0.PE | Cr0.PG | Cr0.ET | Cr0.WP);
    expect(pfErr(m, 0x6008, Access.Write)).toBe(2 | 1);
  });

  it('CR0.WP changes flush the supervisor write mapping', () => {
    tr(m.cpu, 0x6000, Access.Write);
    expect(m.cpu.tlbSup.tagW[slot(0x6000)]).toBe(6);
    writeCr0(m.cpu, Cr0.PE | Cr0.PG | Cr0.ET | Cr0.WP);
    expect(m.cpu.tlbSup.tagW[slot(0x6000)]).toBe(TLB_EMPTY);
    expectFault(() => m.cpu.wr8(0x6000, 1), PF, 3);
  });

  it('4 MiB pages with PSE (and PSE-36 high bits); PS ignored without CR4.PSE', () => {
    m.mem.write32(PD + 4 * 4, 0x00400000 | PS | P | RW | (1 << 13)); // phys 0x1_00400000
    // Without CR4.PSE the entry points at a page table (at 0x402000, all zero): not present.
    expect(pfErr(m, 0x01000000, Access.Read)).toBe(0);
    writeCr4(m.cpu, Cr4.PSE);
    expect(tr(m.cpu, 0x01234567, Access.Read)).toBe(0x100634567);
    m.mem.write32(PD + 5 * 4, 0x00400000 | PS | P | (1 << 21)); // bit 21 reserved with MAXPHYADDR 40
    expect(pfErr(m, 0x01400000, Access.Read)).toBe(8 | 1);
  });

  it('writes A/D back only when they change', () => {
    // Page tables in an MMIO window that counts writes.
    const words = new Uint32Array(2048);
    let writes = 0;
    m.mem.mmio.register('pt', 0xe0000000, 0x2000, {
      read: (off) => words[off >>> 2],
      write: (off, _size, v) => {
        writes++;
        words[off >>> 2] = v;
      },
    });
    words[0] = 0xe0001000 | P | RW;
    words[1024 + 3] = 0x333000 | P | RW;
    writeCr3(m.cpu, 0xe0000000, 0);
    tr(m.cpu, 0x3000, Access.Write);
    expect(writes).toBe(2); // PDE.A, PTE.A|D
    expect(words[1024 + 3] & (A | D)).toBe(A | D);
    m.cpu.mmu.flush(m.cpu, true);
    tr(m.cpu, 0x3000, Access.Write);
    tr(m.cpu, 0x3000, Access.Read);
    expect(writes).toBe(2);
  });
});

describe('PAE paging', () => {
  let m: TM;
  const PDPT = 0x20000, PD = 0x21000, PT = 0x22000;
  beforeEach(() => {
    m = makeMachine();
    m.cpu.i32[CR0] = Cr0.PE | Cr0.ET;
    m.mem.write32(PDPT, PD | P);
    m.mem.write32(PD, PT | P | RW | US);
    m.mem.write32(PT + 8, 0x456000 | P | RW | US);
    m.mem.write32(PD + 8, 0x600000 | PS | P | RW | US); // 2 MiB at 0x200000
    writeCr4(m.cpu, Cr4.PAE);
    writeCr3(m.cpu, PDPT, 0);
    writeCr0(m.cpu, Cr0.PE | Cr0.PG | Cr0.ET);
  });

  it('translates 4 KiB and 2 MiB pages through the PDPTE registers', () => {
    expect(tr(m.cpu, 0x1abc, Access.Read)).toBe(0x456abc);
    expect(tr(m.cpu, 0x3fffff, Access.Write)).toBe(0x7fffff);
    expect(m.mem.read32(PD + 8) & (A | D)).toBe(A | D);
    // PDPTEs are cached: changing memory without reloading CR3 has no effect.
    m.mem.write32(PDPT, 0);
    m.cpu.mmu.flush(m.cpu, true);
    expect(tr(m.cpu, 0x1abc, Access.Read)).toBe(0x456abc);
  });

  it('MOV CR3 with a reserved PDPTE bit is #GP(0) and changes nothing', () => {
    m.mem.write32(0x30000, PD | P | 2); // bit 1 reserved in a PDPTE
    expectFault(() => writeCr3(m.cpu, 0x30000, 0), GP, 0);
    expect(tr(m.cpu, 0x1000, Access.Read)).toBe(0x456000);
  });

  it('XD is reserved without EFER.NXE and enforced with it; bits 62:M reserved', () => {
    m.mem.write32(PT + 12, XD);
    m.mem.write32(PT + 8 + 4, 0); // keep PTE 1 clean
    m.mem.write32(PT + 16, 0x457000 | P | RW);
    m.mem.write32(PT + 20, XD);
    expect(pfErr(m, 0x2000, Access.Read)).toBe(8 | 1);
    writeEfer(m.cpu, Efer.NXE, 0);
    expect(tr(m.cpu, 0x2000, Access.Read)).toBe(0x457000);
    expect(pfErr(m, 0x2000, Access.Exec)).toBe(16 | 1);
    m.mem.write32(PT + 20, 1 << 20); // bit 52: reserved in PAE paging (ignored in 4-level)
    m.cpu.mmu.flush(m.cpu, true);
    expect(pfErr(m, 0x2000, Access.Read)).toBe(8 | 1);
  });
});

describe('4-level paging', () => {
  let m: TM;
  const PML4 = 0x20000, PDPT = 0x21000, PD = 0x22000, PT = 0x23000;
  const HPDPT = 0x24000, HPD = 0x25000;
  beforeEach(() => {
    m = makeMachine();
    const s = m.cpu.i32;
    s[CR0] = Cr0.PE | Cr0.ET;
    writeCr4(m.cpu, Cr4.PAE | Cr4.PGE);
    writeEfer(m.cpu, Efer.LME | Efer.NXE, 0);
    writeCr3(m.cpu, PML4, 0);
    m.mem.write32(PML4, PDPT | P | RW | US);
    m.mem.write32(PDPT, PD | P | RW | US);
    m.mem.write32(PD, PT | P | RW | US);
    m.mem.write32(PT + 8, 0x500000 | P | RW | US); // 4 KiB: 0x1000 -> 0x500000
    m.mem.write32(PD + 8, 0x600000 | PS | P | RW); // 2 MiB: 0x200000 -> 0x600000 (supervisor)
    m.mem.write32(PDPT + 8, 0x40000000 | PS | P | RW | US); // 1 GiB: 0x40000000 -> phys 0x1_40000000 (hi below)
    m.mem.write32(PDPT + 12, 1);
    // The top of the canonical space: PML4[511] -> HPDPT[511] -> HPD[511], a global 2 MiB page at 0x200000.
    m.mem.write32(PML4 + 511 * 8, HPDPT | P | RW);
    m.mem.write32(HPDPT + 511 * 8, HPD | P | RW);
    m.mem.write32(HPD + 511 * 8, 0x200000 | PS | P | RW | G);
    writeCr0(m.cpu, Cr0.PE | Cr0.PG | Cr0.ET);
    expect(s[EFER] & Efer.LMA).toBe(Efer.LMA);
  });

  it('4 KiB, 2 MiB and 1 GiB pages, and high canonical addresses', () => {
    expect(tr(m.cpu, 0x1234, Access.Read)).toBe(0x500234);
    expect(tr(m.cpu, 0x3fedcb, Access.Read)).toBe(0x7fedcb);
    expect(tr(m.cpu, 0x7fffffff, Access.Read)).toBe(0x17fffffff);
    expect(tr(m.cpu, -0x1000, Access.Write)).toBe(0x3ff000);
    expect(m.mem.read32(HPD + 511 * 8) & (A | D)).toBe(A | D);
    expect(m.mem.read32(HPDPT + 511 * 8) & (A | D)).toBe(A);
    // Non-canonical addresses never reach a walk.
    expectFault(() => tr(m.cpu, 0x800000000000, Access.Read), GP, 0);
  });

  it('bits 62:52 are ignored, 51:M and PML4E.PS reserved', () => {
    m.mem.write32(PT + 8 + 4, 0x7ff00000); // ignored bits
    expect(tr(m.cpu, 0x1000, Access.Read)).toBe(0x500000);
    m.mem.write32(PT + 8 + 4, 1 << 19); // bit 51
    m.cpu.mmu.flush(m.cpu, true);
    expect(pfErr(m, 0x1000, Access.Write)).toBe(8 | 2 | 1);
    m.mem.write32(PML4, PDPT | P | RW | US | PS);
    m.cpu.mmu.flush(m.cpu, true);
    expect(pfErr(m, 0x1000, Access.Read)).toBe(8 | 1);
    // 2 MiB page with bit 13 set: reserved.
    m.mem.write32(PML4, PDPT | P | RW | US);
    m.mem.write32(PD + 8, 0x600000 | PS | P | RW | 0x2000);
    m.cpu.mmu.flush(m.cpu, true);
    expect(pfErr(m, 0x200000, Access.Read)).toBe(8 | 1);
  });

  it('NX at any level, U/S combination, SMEP', () => {
    m.mem.write32(PD + 4, XD); // XD on the PDE covering the 4 KiB page
    expect(pfErr(m, 0x1000, Access.Exec)).toBe(16 | 1);
    m.cpu.setCpl(3);
    expect(pfErr(m, 0x200000, Access.Read)).toBe(4 | 1); // supervisor 2 MiB page
    expect(pfErr(m, 0x1000, Access.Exec)).toBe(16 | 4 | 1);
    m.cpu.setCpl(0);
    m.mem.write32(PD + 4, 0);
    m.cpu.mmu.flush(m.cpu, true);
    expect(tr(m.cpu, 0x1000, Access.Exec)).toBe(0x500000);
    writeCr4(m.cpu, Cr4.PAE | Cr4.PGE | Cr4.SMEP);
    expect(pfErr(m, 0x1000, Access.Exec)).toBe(16 | 1); // supervisor fetch from a user page
    expect(tr(m.cpu, 0x1000, Access.Read)).toBe(0x500000); // data access is fine (no SMAP)
  });

  it('I/D is reported only with NXE or SMEP', () => {
    writeEfer(m.cpu, Efer.LME, 0); // NXE off, LMA kept
    expect(m.cpu.i32[EFER] & Efer.LMA).toBe(Efer.LMA);
    expect(pfErr(m, 0x5000, Access.Exec)).toBe(0);
  });

  it('user and supervisor translations live in separate TLB sets', () => {
    tr(m.cpu, 0x200000, Access.Read); // supervisor page, supervisor access
    expect(m.cpu.tlbSup.tagR[slot(0x200000)]).toBe(0x200);
    expect(m.cpu.tlbUser.tagR[slot(0x200000)]).toBe(TLB_EMPTY);
    m.cpu.setCpl(3);
    expect(m.cpu.tagR).toBe(m.cpu.tlbUser.tagR);
    expectFault(() => m.cpu.rd8(0x200000), PF, 5);
    m.cpu.setCpl(0);
    expect(m.cpu.rd8(0x200000)).toBe(0);
  });

  it('CR3 writes keep global pages; INVLPG drops them in both sets; PGE toggling flushes all', () => {
    tr(m.cpu, -0x2000, Access.Read); // global (1 GiB page with G)
    tr(m.cpu, 0x1000, Access.Read);
    m.cpu.setCpl(3);
    tr(m.cpu, 0x1000, Access.Read);
    m.cpu.setCpl(0);
    writeCr3(m.cpu, PML4, 0);
    expect(m.cpu.tlbSup.tagR[slot(-0x2000)]).toBe(Math.floor(-0x2000 / 4096));
    expect(m.cpu.tlbSup.tagR[slot(0x1000)]).toBe(TLB_EMPTY);
    expect(m.cpu.tlbUser.tagR[slot(0x1000)]).toBe(TLB_EMPTY);
    // Stale global entry: the CPU keeps using it after the tables change, until INVLPG.
    m.mem.write32(HPD + 511 * 8, 0x400000 | PS | P | RW | G);
    writeCr3(m.cpu, PML4, 0);
    m.mem.write32(0x3fe000, 0x5a5a5a5a);
    expect(m.cpu.rd32(-0x2000)).toBe(0x5a5a5a5a);
    m.cpu.mmu.flushPage(m.cpu, -0x2000);
    expect(m.cpu.tlbSup.tagR[slot(-0x2000)]).toBe(TLB_EMPTY);
    m.mem.write32(0x5fe000, 0x1234);
    expect(m.cpu.rd32(-0x2000)).toBe(0x1234);
    writeCr4(m.cpu, Cr4.PAE);
    expect(m.cpu.tlbSup.tagR[slot(-0x2000)]).toBe(TLB_EMPTY);
  });

  it('INVLPG of any address in a large page drops every 4 KiB slot of it', () => {
    for (let k = 0; k < 8; k++) tr(m.cpu, 0x200000 + k * 0x1000, Access.Read);
    m.cpu.mmu.flushPage(m.cpu, 0x3ff000);
    for (let k = 0; k < 8; k++) expect(m.cpu.tlbSup.tagR[slot(0x200000 + k * 0x1000)]).toBe(TLB_EMPTY);
  });

  it('pages holding decoded code never get a write tag', () => {
    m.cpu.codePages[0x500000 >>> 12] = 1;
    tr(m.cpu, 0x1000, Access.Write);
    expect(m.cpu.tlbSup.tagR[slot(0x1000)]).toBe(1);
    expect(m.cpu.tlbSup.tagW[slot(0x1000)]).toBe(TLB_EMPTY);
  });

  it('clearing PG from 64-bit code is #GP; EFER.LME cannot change while paging is on', () => {
    m.cpu.i32[CPL] = 0;
    // Pretend CS is 64-bit code.
    m.cpu.i32[50 + 1 * 4] |= 0x2000;
    expectFault(() => writeCr0(m.cpu, Cr0.PE | Cr0.ET), GP, 0);
    expectFault(() => writeEfer(m.cpu, 0, 0), GP, 0);
    expectFault(() => writeCr4(m.cpu, 0), GP, 0); // PAE cannot be cleared in long mode
  });
});
