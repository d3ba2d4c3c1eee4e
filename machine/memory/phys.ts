// Physical address space (PC memory map, q35-style): RAM below the PCI hole and above 4 GiB, everything else MMIO.
import { MmioBus } from './bus.js';

/** Start of the 32-bit PCI hole (ECAM starts here on q35); RAM beyond this is remapped above 4 GiB. */
export const LOW_RAM_LIMIT = 0xb000_0000;
export const HIGH_RAM_BASE = 0x1_0000_0000;

/** Listener told about writes into guest RAM that did not come from the CPU's own store path (DMA, host, loaders). */
export type RamWriteListener = (phys: number, length: number) => void;

export class PhysMemory {
  readonly size: number;
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  readonly i32: Int32Array;
  readonly mmio = new MmioBus();
  /** Bytes of RAM mapped below the PCI hole. */
  readonly lowSize: number;
  private writeListeners: RamWriteListener[] = [];
  /**
   * One bit per 128-byte line of RAM (indexed by RAM offset) marking lines that hold decoded or translated code,
   * shared by every vCPU and the code cache. codePages views the same bits as one int32 per 4 KiB page.
   */
  readonly codeLines: Uint8Array;
  readonly codePages: Int32Array;

  constructor(size: number, shared = false) {
    if (!Number.isInteger(size) || size < 0x10_0000 || size % 0x1000 !== 0) {
      throw new RangeError(`RAM size must be a multiple of 4 KiB and at least 1 MiB (got ${size})`);
    }
    this.size = size;
    this.buffer = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    this.u8 = new Uint8Array(this.buffer);
    this.dv = new DataView(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.lowSize = Math.min(size, LOW_RAM_LIMIT);
    this.codeLines = new Uint8Array((size / 4096) * 4);
    this.codePages = new Int32Array(this.codeLines.buffer);
  }

  /** RAM offset of a physical address, or -1 when the address is not RAM. */
  ramOffset(phys: number): number {
    if (phys < this.lowSize) return phys;
    if (phys >= HIGH_RAM_BASE && phys - HIGH_RAM_BASE < this.size - this.lowSize) return phys - HIGH_RAM_BASE + this.lowSize;
    return -1;
  }

  onWrite(listener: RamWriteListener): void {
    this.writeListeners.push(listener);
  }

  /** Tell code caches that RAM changed behind the CPU's back. */
  notifyWrite(phys: number, length: number): void {
    for (const l of this.writeListeners) l(phys, length);
  }

  // Physical accessors for devices, loaders and page walks (not the CPU's hot path, which uses the TLB).
  read8(phys: number): number {
    const o = this.ramOffset(phys);
    return o >= 0 ? this.u8[o] : this.mmio.read(phys, 1) & 0xff;
  }
  read16(phys: number): number {
    const o = this.ramOffset(phys);
    if (o >= 0 && o + 2 <= this.size) return this.dv.getUint16(o, true);
    if (o >= 0) return this.read8(phys) | (this.read8(phys + 1) << 8);
    return this.mmio.read(phys, 2) & 0xffff;
  }
  read32(phys: number): number {
    const o = this.ramOffset(phys);
    if (o >= 0 && o + 4 <= this.size) return this.dv.getInt32(o, true);
    if (o >= 0) return this.read16(phys) | (this.read16(phys + 2) << 16);
    return this.mmio.read(phys, 4) | 0;
  }
  write8(phys: number, v: number): void {
    const o = this.ramOffset(phys);
    if (o >= 0) {
      this.u8[o] = v;
      this.notifyWrite(phys, 1);
    } else this.mmio.write(phys, 1, v & 0xff);
  }
  write16(phys: number, v: number): void {
    const o = this.ramOffset(phys);
    if (o >= 0 && o + 2 <= this.size) {
      this.dv.setUint16(o, v, true);
      this.notifyWrite(phys, 2);
    } else if (o >= 0) {
      this.write8(phys, v);
      this.write8(phys + 1, v >>> 8);
    } else this.mmio.write(phys, 2, v & 0xffff);
  }
  write32(phys: number, v: number): void {
    const o = this.ramOffset(phys);
    if (o >= 0 && o + 4 <= this.size) {
      this.dv.setInt32(o, v, true);
      this.notifyWrite(phys, 4);
    } else if (o >= 0) {
      this.write16(phys, v);
      this.write16(phys + 2, v >>> 16);
    } else this.mmio.write(phys, 4, v >>> 0);
  }

  /** Bulk copy into guest RAM (loaders, DMA); notifies code caches once. */
  writeBytes(phys: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      const o = this.ramOffset(phys + i);
      if (o < 0) throw new RangeError(`physical 0x${(phys + i).toString(16)} is not RAM`);
      const run = Math.min(bytes.length - i, (phys + i < this.lowSize ? this.lowSize - (phys + i) : this.size - o));
      this.u8.set(bytes.subarray(i, i + run), o);
      i += run;
    }
    this.notifyWrite(phys, bytes.length);
  }

  readBytes(phys: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.read8(phys + i);
    return out;
  }
}
