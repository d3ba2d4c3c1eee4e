// Physical address space and I/O port space (SDM Vol. 1 §16 I/O; PC memory map): the bus owns placement, rejects
// overlaps and routes accesses to devices as offsets. Unassigned reads are all-ones, writes are dropped; both are
// reported to an optional trace hook.
import type { MmioHandler, PortHandler } from '../../devices/device.js';

export interface Region {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly handler: MmioHandler;
}

export type UnassignedHook = (kind: 'mmio' | 'io', dir: 'read' | 'write', addr: number, size: number, value?: number) => void;

export class OverlapError extends Error {}

/** A sorted, non-overlapping set of ranges with O(log n) lookup and a one-entry cache for the hot device. */
export class RangeMap {
  private regions: Region[] = [];
  private last: Region | undefined;

  add(name: string, base: number, size: number, handler: MmioHandler): Region {
    if (!(size > 0) || base < 0 || !Number.isInteger(base) || !Number.isInteger(size)) {
      throw new RangeError(`bad range for ${name}: base=${base} size=${size}`);
    }
    for (const r of this.regions) {
      if (base < r.base + r.size && r.base < base + size) {
        throw new OverlapError(
          `${name} [0x${base.toString(16)}, 0x${(base + size).toString(16)}) overlaps ${r.name} [0x${r.base.toString(16)}, 0x${(r.base + r.size).toString(16)})`,
        );
      }
    }
    const region: Region = { name, base, size, handler };
    this.regions.push(region);
    this.regions.sort((a, b) => a.base - b.base);
    return region;
  }

  remove(region: Region): void {
    this.regions = this.regions.filter((r) => r !== region);
    if (this.last === region) this.last = undefined;
  }

  find(addr: number): Region | undefined {
    const l = this.last;
    if (l !== undefined && addr >= l.base && addr < l.base + l.size) return l;
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rs[mid];
      if (addr < r.base) hi = mid - 1;
      else if (addr >= r.base + r.size) lo = mid + 1;
      else return (this.last = r);
    }
    return undefined;
  }

  list(): readonly Region[] {
    return this.regions;
  }
}

const ONES = [0, 0xff, 0xffff, 0, 0xffffffff];

/** I/O port space (64 KiB of ports). */
export class IoBus {
  readonly map = new RangeMap();
  onUnassigned: UnassignedHook | undefined;

  register(name: string, port: number, count: number, handler: PortHandler): Region {
    if (port + count > 0x10000) throw new RangeError(`${name}: ports beyond 0xFFFF`);
    return this.map.add(name, port, count, handler);
  }

  read(port: number, size: number): number {
    const r = this.map.find(port);
    if (r === undefined) {
      this.onUnassigned?.('io', 'read', port, size);
      return ONES[size];
    }
    return r.handler.read(port - r.base, size);
  }

  write(port: number, size: number, value: number): void {
    const r = this.map.find(port);
    if (r === undefined) {
      this.onUnassigned?.('io', 'write', port, size, value);
      return;
    }
    r.handler.write(port - r.base, size, value);
  }
}

/** MMIO part of the physical address space (RAM is not here: the memory module checks RAM first). */
export class MmioBus {
  readonly map = new RangeMap();
  onUnassigned: UnassignedHook | undefined;

  register(name: string, base: number, size: number, handler: MmioHandler): Region {
    return this.map.add(name, base, size, handler);
  }

  read(addr: number, size: number): number {
    const r = this.map.find(addr);
    if (r === undefined) {
      this.onUnassigned?.('mmio', 'read', addr, size);
      return ONES[size] ?? 0xffffffff;
    }
    return r.handler.read(addr - r.base, size);
  }

  write(addr: number, size: number, value: number): void {
    const r = this.map.find(addr);
    if (r === undefined) {
      this.onUnassigned?.('mmio', 'write', addr, size, value);
      return;
    }
    r.handler.write(addr - r.base, size, value);
  }
}
