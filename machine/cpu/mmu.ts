// Linear-to-physical translation (SDM Vol. 3 §4: 32-bit paging §4.3, PAE §4.4, 4-level §4.5, access rights §4.6,
// #PF error code §4.7, accessed/dirty flags §4.8, TLB rules §4.10) filling the CPU's software TLB.
import { Cpu, Mmu, Access, TlbSet, TLB_MASK, TLB_SIZE, TLB_EMPTY } from './cpu.js';
import { CpuFault, Vec } from './fault.js';
import {
  CPL, CR0, CR4, EFER, CR3_LO, CR3_HI, CR2_F, PDPTE_LO, PDPTE_HI, Cr0, Cr4, Efer,
} from './state.js';

/** Physical-address width reported by CPUID 0x80000008 and enforced as reserved bits in paging entries. */
export const MAXPHYADDR = 40;
/** Linear-address width (4-level paging). */
export const LINADDR_BITS = 48;

const TWO32 = 4294967296;
const TWO48 = 281474976710656;
const CANON = 140737488355328;

// Entry bits (low dword).
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
// High dword masks with MAXPHYADDR = 40: address bits 39:32 and reserved bits 51:40.
const HI_ADDR = (1 << (MAXPHYADDR - 32)) - 1;
const HI_RSVD_4L = 0x000fffff & ~HI_ADDR; // 51:M (62:52 ignored in 4-level paging)
const HI_RSVD_PAE = 0x7fffffff & ~HI_ADDR; // 62:M (PAE paging reserves them)
const XD_HI = 0x80000000 | 0;

/** #PF error-code bits (§4.7). */
export const enum PfErr {
  P = 1,
  W = 2,
  U = 4,
  RSVD = 8,
  ID = 16,
}

// Result of the last walk (module scratch, no allocation per translation).
let wPhys = 0; // physical address of the 4 KiB frame
let wUs = 0; // user-accessible at every level
let wRw = 0; // writable at every level
let wNx = 0; // execute-disable at some level
let wGlobal = 0;
let wShift = 0; // log2(page size / 4 KiB): 0, 9 (2 MiB), 10 (4 MiB), 18 (1 GiB)
let wLeaf = 0; // physical address of the leaf entry (for A/D)
let wLeafLo = 0;

/** Per TLB set: size shift of the page each slot came from, and how many slots came from large pages. */
interface LargeInfo {
  shift: Uint8Array;
  count: number;
}

export class PagingMmu implements Mmu {
  private readonly large = new WeakMap<TlbSet, LargeInfo>();

  translate(cpu: Cpu, lin: number, access: Access, supervisor: boolean): number {
    const s = cpu.i32;
    const cr0 = s[CR0];
    const user = !supervisor && s[CPL] === 3;
    if ((cr0 & Cr0.PG) === 0) {
      // No paging: linear = physical (32 bits outside long mode, which requires paging).
      const pa = lin >>> 0 === lin ? lin : lin % TWO32 >>> 0;
      this.fill(cpu, user, lin, pa, 1, 1, 0, 0, 0, true);
      return pa;
    }
    const cr4 = s[CR4];
    const efer = s[EFER];
    let err = (access === Access.Write ? PfErr.W : 0) | (user ? PfErr.U : 0);
    if (access === Access.Exec && ((cr4 & Cr4.SMEP) !== 0 || ((cr4 & Cr4.PAE) !== 0 && (efer & Efer.NXE) !== 0))) err |= PfErr.ID;
    let fault: number;
    if ((efer & Efer.LMA) !== 0) fault = walk4(cpu, lin, efer);
    else if ((cr4 & Cr4.PAE) !== 0) fault = walkPae(cpu, lin, efer);
    else fault = walk32(cpu, lin, cr4);
    if (fault >= 0) pageFault(cpu, lin, err | fault);
    // Access rights (§4.6).
    const wp = (cr0 & Cr0.WP) !== 0;
    const smep = (cr4 & Cr4.SMEP) !== 0;
    let ok: boolean;
    if (user) {
      ok = wUs !== 0 && (access !== Access.Write || wRw !== 0) && (access !== Access.Exec || wNx === 0);
    } else if (access === Access.Write) ok = wRw !== 0 || !wp;
    else if (access === Access.Exec) ok = wNx === 0 && !(smep && wUs !== 0);
    else ok = true;
    if (!ok) pageFault(cpu, lin, err | PfErr.P);
    // Accessed and dirty flags are written back only when they change.
    const want = access === Access.Write ? A | D : A;
    if ((wLeafLo & want) !== want) {
      setBits(cpu, wLeaf, want);
      wLeafLo |= want;
    }
    const pa = wPhys + (lin & 0xfff);
    const canWrite = user ? wUs !== 0 && wRw !== 0 : wRw !== 0 || !wp;
    const canRead = user ? wUs !== 0 : true;
    const canExec = wNx === 0 && (user ? wUs !== 0 : !(smep && wUs !== 0));
    this.fill(cpu, user, lin, wPhys, canRead ? 1 : 0, canWrite && (wLeafLo & D) !== 0 ? 1 : 0, canExec ? 1 : 0, wGlobal, wShift, false);
    return pa;
  }

  /** Put the translation of `lin`'s 4 KiB page into the TLB set for the access privilege (RAM pages only). */
  private fill(cpu: Cpu, user: boolean, lin: number, pa: number, r: number, w: number, x: number, global: number, shift: number, noPaging: boolean): void {
    const frame = pa - (pa % 4096);
    const ro = cpu.phys.ramOffset(frame);
    if (ro < 0 || ro + 4096 > cpu.phys.size) return; // MMIO never enters the TLB
    const page = Math.floor(lin / 4096);
    const i = page & TLB_MASK;
    const t = user ? cpu.tlbUser : cpu.tlbSup;
    if (noPaging) {
      r = 1;
      w = 1;
      x = 1;
    }
    if (cpu.codePages[ro >>> 12] !== 0) w = 0; // stores into code pages take the slow path (SMC check)
    t.tagR[i] = r !== 0 ? page : TLB_EMPTY;
    t.tagW[i] = w !== 0 ? page : TLB_EMPTY;
    t.tagX[i] = x !== 0 ? page : TLB_EMPTY;
    t.off[i] = ro;
    t.global[i] = global;
    const li = this.largeInfo(t);
    const old = li.shift[i];
    if (old !== shift) {
      if (old !== 0) li.count--;
      if (shift !== 0) li.count++;
      li.shift[i] = shift;
    }
  }

  private lastSet: TlbSet | undefined;
  private lastInfo: LargeInfo | undefined;

  private largeInfo(t: TlbSet): LargeInfo {
    if (t === this.lastSet) return this.lastInfo!;
    let li = this.large.get(t);
    if (li === undefined) {
      li = { shift: new Uint8Array(TLB_SIZE), count: 0 };
      this.large.set(t, li);
    }
    this.lastSet = t;
    this.lastInfo = li;
    return li;
  }

  flush(cpu: Cpu, includeGlobal: boolean): void {
    for (const t of [cpu.tlbSup, cpu.tlbUser]) {
      t.clear(includeGlobal);
      const li = this.largeInfo(t);
      if (includeGlobal) {
        li.shift.fill(0);
        li.count = 0;
      } else {
        let n = 0;
        for (let i = 0; i < TLB_SIZE; i++) {
          if (li.shift[i] !== 0) {
            if (t.global[i] === 0 || t.tagR[i] === TLB_EMPTY && t.tagX[i] === TLB_EMPTY && t.tagW[i] === TLB_EMPTY) li.shift[i] = 0;
            else n++;
          }
        }
        li.count = n;
      }
    }
  }

  /** INVLPG: drop the translation of the page containing `lin`, including every 4 KiB slot of a large page. */
  flushPage(cpu: Cpu, lin: number): void {
    const page = Math.floor(lin / 4096);
    for (const t of [cpu.tlbSup, cpu.tlbUser]) {
      t.clearPage(page);
      const li = this.largeInfo(t);
      if (li.count === 0) continue;
      for (let i = 0; i < TLB_SIZE; i++) {
        const sh = li.shift[i];
        if (sh === 0) continue;
        const tag = t.tagR[i] !== TLB_EMPTY ? t.tagR[i] : t.tagX[i] !== TLB_EMPTY ? t.tagX[i] : t.tagW[i];
        if (tag === TLB_EMPTY) continue;
        const span = 2 ** sh;
        if (Math.floor(tag / span) === Math.floor(page / span)) {
          t.tagR[i] = TLB_EMPTY;
          t.tagW[i] = TLB_EMPTY;
          t.tagX[i] = TLB_EMPTY;
          li.shift[i] = 0;
          li.count--;
        }
      }
    }
  }
}

function pageFault(cpu: Cpu, lin: number, err: number): never {
  cpu.f64[CR2_F] = lin;
  throw new CpuFault(Vec.PF, err);
}

// ---- page-structure access ----------------------------------------------------------------------------------

let eLo = 0;
let eHi = 0;

function readEntry64(cpu: Cpu, pa: number): void {
  eLo = cpu.phys.read32(pa);
  eHi = cpu.phys.read32(pa + 4);
}

/** Set A/D bits in a paging-structure entry (atomically: other vCPUs walk the same tables). */
function setBits(cpu: Cpu, pa: number, bits: number): void {
  const ph = cpu.phys;
  const ro = ph.ramOffset(pa);
  if (ro < 0) {
    ph.write32(pa, ph.read32(pa) | bits);
    return;
  }
  Atomics.or(ph.i32, ro >>> 2, bits);
  if ((cpu.codeLines[ro >>> 10] & (1 << ((ro >>> 7) & 7))) !== 0) cpu.codeWrite?.(pa, 4);
}

/** Physical address held in bits M-1:12 of an entry. */
function entryAddr(lo: number, hi: number): number {
  return (hi & HI_ADDR) * TWO32 + ((lo & 0xfffff000) >>> 0);
}

// Each walker leaves its result in the w* variables and returns -1, or returns the #PF error bits (P=0 for a
// not-present entry, P|RSVD for a reserved-bit violation). Upper-level entries get their accessed flag as they are
// used; the leaf's A/D flags are set by translate() once the access is known to be permitted.

function walk32(cpu: Cpu, lin: number, cr4: number): number {
  const s = cpu.i32;
  const l = lin >>> 0;
  const pdeA = ((s[CR3_LO] & 0xfffff000) >>> 0) + ((l >>> 22) << 2);
  const pde = cpu.phys.read32(pdeA);
  if ((pde & P) === 0) return 0;
  if ((pde & PS) !== 0 && (cr4 & Cr4.PSE) !== 0) {
    // 4 MiB page; bits 20:13 hold physical bits 39:32 (PSE-36), bit 21 is reserved with M = 40.
    if ((pde & 0x00200000) !== 0) return PfErr.P | PfErr.RSVD;
    wPhys = ((pde >>> 13) & 0xff) * TWO32 + ((pde & 0xffc00000) >>> 0) + (l & 0x3ff000);
    wUs = pde & US;
    wRw = pde & RW;
    wNx = 0;
    wGlobal = (pde & G) !== 0 && (cr4 & Cr4.PGE) !== 0 ? 1 : 0;
    wShift = 10;
    wLeaf = pdeA;
    wLeafLo = pde;
    return -1;
  }
  if ((pde & A) === 0) setBits(cpu, pdeA, A);
  const pteA = ((pde & 0xfffff000) >>> 0) + (((l >>> 12) & 0x3ff) << 2);
  const pte = cpu.phys.read32(pteA);
  if ((pte & P) === 0) return 0;
  wPhys = (pte & 0xfffff000) >>> 0;
  wUs = pde & pte & US;
  wRw = pde & pte & RW;
  wNx = 0;
  wGlobal = (pte & G) !== 0 && (cr4 & Cr4.PGE) !== 0 ? 1 : 0;
  wShift = 0;
  wLeaf = pteA;
  wLeafLo = pte;
  return -1;
}

function walkPae(cpu: Cpu, lin: number, efer: number): number {
  const s = cpu.i32;
  const l = lin >>> 0;
  const cr4 = s[CR4];
  const nxe = (efer & Efer.NXE) !== 0;
  const rsvdHi = HI_RSVD_PAE | (nxe ? 0 : XD_HI);
  const k = l >>> 30;
  const pdpteLo = s[PDPTE_LO(k)];
  const pdpteHi = s[PDPTE_HI(k)];
  if ((pdpteLo & P) === 0) return 0; // reserved bits were checked when the PDPTEs were loaded
  const pdeA = entryAddr(pdpteLo, pdpteHi) + (((l >>> 21) & 0x1ff) << 3);
  readEntry64(cpu, pdeA);
  let lo = eLo, hi = eHi;
  if ((lo & P) === 0) return 0;
  if ((hi & rsvdHi) !== 0) return PfErr.P | PfErr.RSVD;
  let us = lo & US, rw = lo & RW, nx = hi & XD_HI;
  if ((lo & PS) !== 0) {
    if ((lo & 0x001fe000) !== 0) return PfErr.P | PfErr.RSVD;
    wPhys = entryAddr(lo & 0xffe00000, hi) + (l & 0x1ff000);
    wShift = 9;
    wLeaf = pdeA;
  } else {
    if ((lo & A) === 0) setBits(cpu, pdeA, A);
    const pteA = entryAddr(lo, hi) + (((l >>> 12) & 0x1ff) << 3);
    readEntry64(cpu, pteA);
    lo = eLo;
    hi = eHi;
    if ((lo & P) === 0) return 0;
    if ((hi & rsvdHi) !== 0) return PfErr.P | PfErr.RSVD;
    us &= lo;
    rw &= lo;
    nx |= hi & XD_HI;
    wPhys = entryAddr(lo, hi);
    wShift = 0;
    wLeaf = pteA;
  }
  wUs = us;
  wRw = rw;
  wNx = nxe ? nx : 0;
  wGlobal = (lo & G) !== 0 && (cr4 & Cr4.PGE) !== 0 ? 1 : 0;
  wLeafLo = lo;
  return -1;
}

function walk4(cpu: Cpu, lin: number, efer: number): number {
  if (lin < -CANON || lin >= CANON) throw new CpuFault(Vec.GP, 0, 'non-canonical address reached the MMU');
  const s = cpu.i32;
  const cr4 = s[CR4];
  const nxe = (efer & Efer.NXE) !== 0;
  const rsvdHi = HI_RSVD_4L | (nxe ? 0 : XD_HI);
  const u = lin < 0 ? lin + TWO48 : lin;
  const uh = Math.floor(u / TWO32); // bits 47:32
  const ul = u >>> 0; // bits 31:0 (ToUint32 is exact modulo 2^32)
  // PML4E
  let ea = entryAddr(s[CR3_LO], s[CR3_HI]) + (((uh >>> 7) & 0x1ff) << 3);
  readEntry64(cpu, ea);
  let lo = eLo, hi = eHi;
  if ((lo & P) === 0) return 0;
  if ((hi & rsvdHi) !== 0 || (lo & PS) !== 0) return PfErr.P | PfErr.RSVD;
  let us = lo & US, rw = lo & RW, nx = hi & XD_HI;
  if ((lo & A) === 0) setBits(cpu, ea, A);
  // PDPTE
  ea = entryAddr(lo, hi) + ((((uh << 2) | (ul >>> 30)) & 0x1ff) << 3);
  readEntry64(cpu, ea);
  lo = eLo;
  hi = eHi;
  if ((lo & P) === 0) return 0;
  if ((hi & rsvdHi) !== 0) return PfErr.P | PfErr.RSVD;
  us &= lo;
  rw &= lo;
  nx |= hi & XD_HI;
  if ((lo & PS) !== 0) {
    // 1 GiB page.
    if ((lo & 0x3fffe000) !== 0) return PfErr.P | PfErr.RSVD;
    wPhys = entryAddr(lo & 0xc0000000, hi) + (ul & 0x3ffff000);
    wShift = 18;
  } else {
    if ((lo & A) === 0) setBits(cpu, ea, A);
    // PDE
    ea = entryAddr(lo, hi) + (((ul >>> 21) & 0x1ff) << 3);
    readEntry64(cpu, ea);
    lo = eLo;
    hi = eHi;
    if ((lo & P) === 0) return 0;
    if ((hi & rsvdHi) !== 0) return PfErr.P | PfErr.RSVD;
    us &= lo;
    rw &= lo;
    nx |= hi & XD_HI;
    if ((lo & PS) !== 0) {
      if ((lo & 0x001fe000) !== 0) return PfErr.P | PfErr.RSVD;
      wPhys = entryAddr(lo & 0xffe00000, hi) + (ul & 0x1ff000);
      wShift = 9;
    } else {
      if ((lo & A) === 0) setBits(cpu, ea, A);
      // PTE
      ea = entryAddr(lo, hi) + (((ul >>> 12) & 0x1ff) << 3);
      readEntry64(cpu, ea);
      lo = eLo;
      hi = eHi;
      if ((lo & P) === 0) return 0;
      if ((hi & rsvdHi) !== 0) return PfErr.P | PfErr.RSVD;
      us &= lo;
      rw &= lo;
      nx |= hi & XD_HI;
      wPhys = entryAddr(lo, hi);
      wShift = 0;
    }
  }
  wUs = us;
  wRw = rw;
  wNx = nxe ? nx : 0;
  wGlobal = (lo & G) !== 0 && (cr4 & Cr4.PGE) !== 0 ? 1 : 0;
  wLeaf = ea;
  wLeafLo = lo;
  return -1;
}

/**
 * Load the four PAE PDPTE registers from CR3 (§4.4.1): done on MOV CR3 and on the CR0/CR4 writes that enter or
 * re-enable PAE paging outside long mode. Returns false (caller raises #GP(0), committing nothing) when a present
 * PDPTE has reserved bits set.
 */
export function loadPdptes(cpu: Cpu, cr3lo: number): boolean {
  const base = (cr3lo & 0xffffffe0) >>> 0;
  const tmp = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    const lo = cpu.phys.read32(base + 8 * k);
    const hi = cpu.phys.read32(base + 8 * k + 4);
    // Reserved: bits 2:1, 8:5, 63:M.
    if ((lo & P) !== 0 && ((lo & 0x1e6) !== 0 || (hi & ~HI_ADDR) !== 0)) return false;
    tmp[2 * k] = lo;
    tmp[2 * k + 1] = hi;
  }
  for (let k = 0; k < 4; k++) {
    cpu.i32[PDPTE_LO(k)] = tmp[2 * k];
    cpu.i32[PDPTE_HI(k)] = tmp[2 * k + 1];
  }
  return true;
}

/** Whether legacy PAE paging (which uses the PDPTE registers) is the active paging mode. */
export function paePagingActive(cpu: Cpu): boolean {
  const s = cpu.i32;
  return (s[CR0] & Cr0.PG) !== 0 && (s[CR4] & Cr4.PAE) !== 0 && (s[EFER] & Efer.LMA) === 0;
}
