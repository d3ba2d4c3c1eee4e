// A PCI/PCIe function's configuration space (PCI Local Bus 3.0 §6; PCIe 4.0 §7.5 type 0 header, §7.9 extended
// space): per-byte write masks and write-1-to-clear masks, BARs with sizing and a (re)map callback, capability
// list, interrupt pin/line. Device models extend or compose this.
import type { Stateful } from '../device.js';

export type BarKind = 'mem32' | 'mem64' | 'io';

export interface BarSpec {
  kind: BarKind;
  /** Size in bytes: a power of two, >= 16 for memory BARs, >= 4 for I/O BARs. */
  size: number;
  prefetchable?: boolean;
  /** Called when the decoded address changes: the new base, or -1 when the BAR stops decoding. */
  onMap?: (base: number) => void;
}

export interface PciIdentity {
  vendor: number;
  device: number;
  /** Class code as 0xCCSSPP (class, subclass, programming interface). */
  classCode: number;
  revision?: number;
  /** Header type byte (bit 7 = multi-function). Default 0. */
  headerType?: number;
  subsystemVendor?: number;
  subsystem?: number;
  /** Interrupt pin 1..4 = INTA#..INTD#, 0 = none. */
  interruptPin?: number;
}

export const enum PciCfg {
  VENDOR = 0x00,
  DEVICE = 0x02,
  COMMAND = 0x04,
  STATUS = 0x06,
  REVISION = 0x08,
  CLASS = 0x09,
  CACHE_LINE = 0x0c,
  LATENCY = 0x0d,
  HEADER_TYPE = 0x0e,
  BAR0 = 0x10,
  SUBSYS_VENDOR = 0x2c,
  SUBSYS = 0x2e,
  CAP_PTR = 0x34,
  INT_LINE = 0x3c,
  INT_PIN = 0x3d,
}

export const CMD_IO = 1 << 0;
export const CMD_MEM = 1 << 1;
export const CMD_BUS_MASTER = 1 << 2;
export const STATUS_CAP_LIST = 1 << 4;

export interface PciFunctionState {
  /** Configuration space (4096 bytes) as a hex string (compact in JSON snapshots). */
  config: string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** All-ones per access size. */
const ONES = [0, 0xff, 0xffff, 0, 0xffffffff];

export class PciFunction implements Stateful<PciFunctionState> {
  readonly config = new Uint8Array(4096);
  readonly wmask = new Uint8Array(4096);
  readonly w1cmask = new Uint8Array(4096);
  readonly bars: (BarSpec | undefined)[] = new Array<BarSpec | undefined>(6).fill(undefined);
  /** Decoded base per BAR (-1 = not decoding). */
  private readonly mapped: number[] = [-1, -1, -1, -1, -1, -1];
  private capEnd = 0x40;
  private lastCap = 0;
  private extCapEnd = 0x100;
  private lastExtCap = 0;
  /** Machine-level hook for every BAR (re)map: (bar index, base or -1, spec). */
  onBarChange: ((index: number, base: number, bar: BarSpec) => void) | undefined;

  constructor(
    readonly name: string,
    id: PciIdentity,
  ) {
    const c = this.config;
    this.set16(PciCfg.VENDOR, id.vendor);
    this.set16(PciCfg.DEVICE, id.device);
    c[PciCfg.REVISION] = id.revision ?? 0;
    c[PciCfg.CLASS] = id.classCode & 0xff;
    c[PciCfg.CLASS + 1] = (id.classCode >> 8) & 0xff;
    c[PciCfg.CLASS + 2] = (id.classCode >> 16) & 0xff;
    c[PciCfg.HEADER_TYPE] = id.headerType ?? 0;
    this.set16(PciCfg.SUBSYS_VENDOR, id.subsystemVendor ?? 0);
    this.set16(PciCfg.SUBSYS, id.subsystem ?? 0);
    c[PciCfg.INT_PIN] = id.interruptPin ?? 0;
    // Command: I/O, memory, bus master, parity error response, SERR#, INTx disable.
    this.setWmask(PciCfg.COMMAND, 2, 0x0547);
    // Status: error bits are RW1C (master data parity, signalled/received aborts, SERR, parity).
    this.w1cmask[PciCfg.STATUS + 1] = 0xf9;
    this.wmask[PciCfg.CACHE_LINE] = 0xff;
    this.wmask[PciCfg.LATENCY] = 0xff;
    this.wmask[PciCfg.INT_LINE] = 0xff;
  }

  // ---- helpers for device models ------------------------------------------------------------------------------

  set16(off: number, v: number): void {
    this.config[off] = v & 0xff;
    this.config[off + 1] = (v >> 8) & 0xff;
  }

  set32(off: number, v: number): void {
    for (let i = 0; i < 4; i++) this.config[off + i] = (v >>> (8 * i)) & 0xff;
  }

  get32(off: number): number {
    const c = this.config;
    return (c[off] | (c[off + 1] << 8) | (c[off + 2] << 16) | (c[off + 3] << 24)) >>> 0;
  }

  /** Make `size` bytes at `off` guest-writable under `mask` (little-endian). */
  setWmask(off: number, size: number, mask: number): void {
    for (let i = 0; i < size; i++) this.wmask[off + i] = (mask >>> (8 * i)) & 0xff;
  }

  get command(): number {
    return this.config[PciCfg.COMMAND] | (this.config[PciCfg.COMMAND + 1] << 8);
  }

  /** Define BAR `index` (a 64-bit BAR also takes index + 1). */
  addBar(index: number, spec: BarSpec): void {
    const min = spec.kind === 'io' ? 4 : 16;
    if (!(spec.size >= min) || 2 ** Math.round(Math.log2(spec.size)) !== spec.size) {
      throw new RangeError(`${this.name}: BAR${index} size ${spec.size} is not a power of two >= ${min}`);
    }
    if (index < 0 || index > 5 || (spec.kind === 'mem64' && index > 4)) throw new RangeError(`${this.name}: bad BAR index ${index}`);
    this.bars[index] = spec;
    const off = PciCfg.BAR0 + 4 * index;
    if (spec.kind === 'io') {
      this.set32(off, 1);
      this.setWmask(off, 4, ~(spec.size - 1) & ~3);
      return;
    }
    const flags = (spec.kind === 'mem64' ? 4 : 0) | (spec.prefetchable === true ? 8 : 0);
    this.set32(off, flags);
    // Sizes above 4 GiB need the high dword's mask too.
    const lowMask = spec.size >= 0x1_0000_0000 ? 0 : ~(spec.size - 1) & ~0xf;
    this.setWmask(off, 4, lowMask);
    if (spec.kind === 'mem64') {
      const hiMask = spec.size > 0x1_0000_0000 ? ~(spec.size / 0x1_0000_0000 - 1) : 0xffffffff;
      this.setWmask(off + 4, 4, hiMask);
      this.set32(off + 4, 0);
    }
  }

  /** Current BAR base (after flags are stripped), or -1 if BAR `index` is not defined. */
  barAddress(index: number): number {
    const spec = this.bars[index];
    if (spec === undefined) return -1;
    const off = PciCfg.BAR0 + 4 * index;
    if (spec.kind === 'io') return (this.get32(off) & ~3) >>> 0;
    const lo = (this.get32(off) & ~0xf) >>> 0;
    return spec.kind === 'mem64' ? this.get32(off + 4) * 0x1_0000_0000 + lo : lo;
  }

  /** Decoded base of BAR `index` now (-1 if not decoding). */
  mappedAddress(index: number): number {
    return this.mapped[index];
  }

  /** Append a standard capability (id, next pointer + `length - 2` bytes); returns its offset. */
  addCapability(id: number, length: number): number {
    const off = (this.capEnd + 3) & ~3;
    if (off + length > 0x100) throw new RangeError(`${this.name}: no room for capability 0x${id.toString(16)}`);
    this.config[off] = id;
    this.config[off + 1] = 0;
    if (this.lastCap === 0) this.config[PciCfg.CAP_PTR] = off;
    else this.config[this.lastCap + 1] = off;
    this.lastCap = off;
    this.capEnd = off + length;
    this.config[PciCfg.STATUS] |= STATUS_CAP_LIST;
    return off;
  }

  /** Append a PCIe extended capability (header: id 16 bits, version 4, next 12); returns its offset (>= 0x100). */
  addExtendedCapability(id: number, version: number, length: number): number {
    const off = (this.extCapEnd + 3) & ~3;
    if (off + length > 0x1000) throw new RangeError(`${this.name}: no room for extended capability 0x${id.toString(16)}`);
    this.set32(off, (id & 0xffff) | ((version & 0xf) << 16));
    if (this.lastExtCap !== 0) {
      const h = this.get32(this.lastExtCap);
      this.set32(this.lastExtCap, (h & 0x000fffff) | (off << 20));
    }
    this.lastExtCap = off;
    this.extCapEnd = off + length;
    return off;
  }

  // ---- config access ------------------------------------------------------------------------------------------

  /** Little-endian read of 1, 2 or 4 bytes at `off` (accesses past 4 KiB read all-ones). */
  read(off: number, size: number): number {
    const c = this.config;
    if (off + size > 4096) return ONES[size];
    if (size === 4) return (c[off] | (c[off + 1] << 8) | (c[off + 2] << 16) | (c[off + 3] << 24)) >>> 0;
    if (size === 2) return c[off] | (c[off + 1] << 8);
    return c[off];
  }

  write(off: number, size: number, value: number): void {
    if (off + size > 4096) return;
    const c = this.config;
    for (let i = 0; i < size; i++) {
      const o = off + i;
      const b = (value >>> (8 * i)) & 0xff;
      const wm = this.wmask[o];
      let nv = (c[o] & ~wm) | (b & wm);
      nv &= ~(b & this.w1cmask[o]);
      c[o] = nv;
    }
    if (off < PciCfg.COMMAND + 2 && off + size > PciCfg.COMMAND) this.updateMappings();
    else if (off < PciCfg.BAR0 + 24 && off + size > PciCfg.BAR0) this.updateMappings();
    this.configWritten(off, size);
  }

  /** Hook for device models that react to their own registers (capability control bits etc.). */
  protected configWritten(_off: number, _size: number): void {}

  /** Recompute every BAR's decoded address and report changes (the machine maps/unmaps on its buses). */
  updateMappings(): void {
    const cmd = this.command;
    for (let i = 0; i < 6; i++) {
      const spec = this.bars[i];
      if (spec === undefined) continue;
      let base = -1;
      const addr = this.barAddress(i);
      if (spec.kind === 'io') {
        if ((cmd & CMD_IO) !== 0 && addr !== 0 && addr + spec.size <= 0x10000) base = addr;
      } else if ((cmd & CMD_MEM) !== 0 && addr !== 0) {
        // Sizing leaves all-ones in the address bits: such a BAR would end at/after 4 GiB (32-bit) or beyond the
        // 52-bit physical address space (64-bit) and does not decode.
        const limit = spec.kind === 'mem64' ? 2 ** 52 : 0x1_0000_0000;
        if (addr + spec.size < limit) base = addr;
      }
      if (base !== this.mapped[i]) {
        this.mapped[i] = base;
        spec.onMap?.(base);
        this.onBarChange?.(i, base, spec);
      }
    }
  }

  reset(): void {
    // Clear guest-writable state: command, BAR addresses, interrupt line, capability control bits.
    for (let o = 0; o < 4096; o++) {
      if (o === PciCfg.COMMAND || o === PciCfg.COMMAND + 1) this.config[o] &= ~this.wmask[o];
      else if (o >= PciCfg.BAR0 && o < PciCfg.BAR0 + 24) this.config[o] &= ~this.wmask[o];
    }
    this.config[PciCfg.INT_LINE] = 0;
    this.updateMappings();
  }

  saveState(): PciFunctionState {
    let hex = '';
    for (let i = 0; i < this.config.length; i++) hex += HEX[this.config[i]];
    return { config: hex };
  }

  restoreState(s: PciFunctionState): void {
    if (s.config.length !== 8192) throw new Error(`${this.name}: bad config snapshot`);
    for (let i = 0; i < 4096; i++) this.config[i] = parseInt(s.config.substr(2 * i, 2), 16);
    this.updateMappings();
  }
}
