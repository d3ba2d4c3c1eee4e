// PCI host bridge config access (PCI Local Bus 3.0 §3.2.2.3.2 configuration mechanism #1 at 0xCF8/0xCFC; PCIe
// 4.0 §7.2.2 enhanced configuration access, ECAM): one function table indexed by bus/device/function, shared by
// both mechanisms. Absent functions read all-ones after a single array probe (kernels scan all 65,536).
import type { MmioHandler, PortHandler } from '../device.js';
import { PciFunction } from './pci-function.js';

const ONES = [0, 0xff, 0xffff, 0, 0xffffffff];

export function bdf(bus: number, dev: number, fn: number): number {
  return ((bus & 0xff) << 8) | ((dev & 0x1f) << 3) | (fn & 7);
}

export interface PciHostState {
  configAddress: number;
}

export class PciHost {
  readonly name = 'pci-host';
  /** Function per BDF (bus << 8 | dev << 3 | fn). */
  private readonly fns: (PciFunction | undefined)[] = new Array<PciFunction | undefined>(65536).fill(undefined);
  /** The plugged-in functions, so that reset() need not walk all 65,536 slots (about 6 ms of a cold start). */
  private readonly plugged: PciFunction[] = [];
  private configAddress = 0;

  /** Plug `f` in at bus:dev.fn. Function 0 of a device with several functions gets the multi-function bit. */
  add(bus: number, dev: number, fn: number, f: PciFunction): PciFunction {
    const i = bdf(bus, dev, fn);
    if (this.fns[i] !== undefined) throw new Error(`PCI ${bus}:${dev}.${fn} is already taken by ${this.fns[i]?.name}`);
    this.fns[i] = f;
    this.plugged.push(f);
    const f0 = this.fns[bdf(bus, dev, 0)];
    if (fn !== 0 && f0 !== undefined) f0.config[0x0e] |= 0x80;
    if (fn === 0) for (let k = 1; k < 8; k++) if (this.fns[bdf(bus, dev, k)] !== undefined) f.config[0x0e] |= 0x80;
    return f;
  }

  get(bus: number, dev: number, fn: number): PciFunction | undefined {
    return this.fns[bdf(bus, dev, fn)];
  }

  /** Every plugged-in function with its BDF. */
  list(): { bdf: number; fn: PciFunction }[] {
    const out: { bdf: number; fn: PciFunction }[] = [];
    this.fns.forEach((f, i) => {
      if (f !== undefined) out.push({ bdf: i, fn: f });
    });
    return out;
  }

  /** ECAM window (256 MiB for buses 0-255): offset = bus << 20 | dev << 15 | fn << 12 | register. */
  readonly ecam: MmioHandler = {
    read: (offset, size) => {
      const f = this.fns[offset >>> 12];
      if (f === undefined) return ONES[size] ?? 0xffffffff;
      return f.read(offset & 0xfff, size > 4 ? 4 : size);
    },
    write: (offset, size, value) => {
      const f = this.fns[offset >>> 12];
      if (f !== undefined) f.write(offset & 0xfff, size > 4 ? 4 : size, value);
    },
  };

  /** Port 0xCF8 (CONFIG_ADDRESS): dword accesses only; byte/word accesses to 0xCF8-0xCFB belong to other registers. */
  readonly addressPort: PortHandler = {
    read: (offset, size) => (offset === 0 && size === 4 ? this.configAddress >>> 0 : ONES[size]),
    write: (offset, size, value) => {
      if (offset === 0 && size === 4) this.configAddress = (value & 0x80fffffc) >>> 0;
    },
  };

  /** Ports 0xCFC-0xCFF (CONFIG_DATA): any width at any offset within the dword. */
  readonly dataPort: PortHandler = {
    read: (offset, size) => {
      const f = this.selected();
      if (f === undefined) return ONES[size];
      return f.read((this.configAddress & 0xfc) + (offset & 3), size);
    },
    write: (offset, size, value) => {
      this.selected()?.write((this.configAddress & 0xfc) + (offset & 3), size, value);
    },
  };

  private selected(): PciFunction | undefined {
    if ((this.configAddress & 0x80000000) === 0) return undefined;
    return this.fns[(this.configAddress >>> 8) & 0xffff];
  }

  reset(): void {
    this.configAddress = 0;
    for (const f of this.plugged) f.reset();
  }

  saveState(): PciHostState {
    return { configAddress: this.configAddress };
  }

  restoreState(s: PciHostState): void {
    this.configAddress = s.configAddress >>> 0;
  }
}
