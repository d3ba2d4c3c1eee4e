// Guest symbol maps for traces and reports: `.sym` files (one `ADDRESS SYMBOL` per line, hex address with or without
// 0x, as written by `nm` minus the type column or by tools/build-guest.mjs) and ELF .symtab symbols.
import { UserError } from './errors.js';

export class SymbolMap {
  private addrs: number[] = [];
  private names: string[] = [];

  constructor(entries: Iterable<[number, string]> = []) {
    this.addAll(entries);
  }

  /** Parse `.sym` text. Lines that are empty or start with '#' are skipped; `nm` output (ADDR TYPE NAME) works too. */
  static parse(text: string, what = 'symbol file'): SymbolMap {
    const out: Array<[number, string]> = [];
    text.split(/\r?\n/).forEach((line, i) => {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) return;
      const parts = t.split(/\s+/);
      const m = /^(?:0x)?([0-9a-f]+)$/i.exec(parts[0]);
      if (m === null || parts.length < 2) throw new UserError(`${what}:${i + 1}: expected 'ADDRESS SYMBOL'`);
      const name = parts.length >= 3 && /^[a-zA-Z]$/.test(parts[1]) ? parts[2] : parts[1];
      out.push([parseInt(m[1], 16), name]);
    });
    return new SymbolMap(out);
  }

  addAll(entries: Iterable<[number, string]>): void {
    const all: Array<[number, string]> = this.addrs.map((a, i) => [a, this.names[i]]);
    for (const e of entries) all.push(e);
    all.sort((a, b) => a[0] - b[0]);
    this.addrs = all.map((e) => e[0]);
    this.names = all.map((e) => e[1]);
  }

  entries(): Array<[number, string]> {
    return this.addrs.map((a, i) => [a, this.names[i]]);
  }

  get size(): number {
    return this.addrs.length;
  }

  /**
   * Symbols that depend on what is loaded (programs that share one link address): for addresses in [start, end),
   * the map `pick()` returns is consulted first.
   */
  private dynamic: Array<{ start: number; end: number; pick: () => SymbolMap | undefined }> = [];

  addDynamic(start: number, end: number, pick: () => SymbolMap | undefined): void {
    this.dynamic.push({ start, end, pick });
  }

  /** The symbol at or below `addr` and the offset from it. */
  lookup(addr: number): { name: string; offset: number } | undefined {
    for (const d of this.dynamic) {
      if (addr < d.start || addr >= d.end) continue;
      const hit = d.pick()?.lookup(addr);
      if (hit !== undefined) return hit;
    }
    let lo = 0, hi = this.addrs.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addrs[mid] <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const offset = addr - this.addrs[best];
    if (offset > 0x10_0000) return undefined; // too far to be meaningful
    return { name: this.names[best], offset };
  }

  /** "name+0x12" or "" when nothing is near. */
  format(addr: number): string {
    const s = this.lookup(addr);
    if (s === undefined) return '';
    return s.offset === 0 ? s.name : `${s.name}+0x${s.offset.toString(16)}`;
  }

  /** Address of a symbol by name. */
  address(name: string): number | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.addrs[i];
  }
}
