// A tiny AML encoder (ACPI 6.4 §20.2 AML grammar): enough for a minimal DSDT - names, integers, strings,
// packages, scopes and devices with PkgLength encoding and EISA IDs.

export type Aml = number[];

/** PkgLength (§20.2.4): the length includes the PkgLength bytes themselves. */
export function pkgLength(contentLength: number): Aml {
  for (let n = 1; n <= 4; n++) {
    const total = contentLength + n;
    if (n === 1 && total <= 0x3f) return [total];
    if (n > 1 && total < 1 << (4 + 8 * (n - 1))) {
      const out = [((n - 1) << 6) | (total & 0xf)];
      for (let i = 1; i < n; i++) out.push((total >> (4 + 8 * (i - 1))) & 0xff);
      return out;
    }
  }
  throw new RangeError(`AML package too long (${contentLength} bytes)`);
}

/** NameSeg: 4 characters, A-Z 0-9 _, padded with '_'. Accepts a leading '\\' (root) for a NameString. */
export function nameString(name: string): Aml {
  const out: Aml = [];
  let n = name;
  if (n.startsWith('\\')) {
    out.push(0x5c);
    n = n.slice(1);
  }
  const segs = n.split('.');
  if (segs.length === 2) out.push(0x2e); // DualNamePrefix
  else if (segs.length > 2) out.push(0x2f, segs.length); // MultiNamePrefix
  for (const s of segs) {
    if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(s)) throw new RangeError(`bad AML name segment '${s}'`);
    for (let i = 0; i < 4; i++) out.push((s[i] ?? '_').charCodeAt(0));
  }
  return out;
}

/** Integer with the smallest encoding (ZeroOp, OneOp, Byte/Word/DWord/QWord prefix). */
export function integer(v: number): Aml {
  if (v === 0) return [0x00];
  if (v === 1) return [0x01];
  if (v <= 0xff) return [0x0a, v];
  if (v <= 0xffff) return [0x0b, v & 0xff, v >> 8];
  if (v <= 0xffffffff) return [0x0c, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  const lo = v % 0x1_0000_0000;
  const hi = Math.floor(v / 0x1_0000_0000);
  return [0x0e, ...integer32(lo), ...integer32(hi)];
}

function integer32(v: number): Aml {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

export function string(s: string): Aml {
  return [0x0d, ...Array.from(s, (c) => c.charCodeAt(0) & 0x7f), 0x00];
}

/** EISA ID ("PNP0A08") compressed into a DWord (§6.1.5 _HID). */
export function eisaId(id: string): Aml {
  if (!/^[A-Z]{3}[0-9A-F]{4}$/.test(id)) throw new RangeError(`bad EISA ID '${id}'`);
  const c = (i: number): number => id.charCodeAt(i) - 0x40;
  const b0 = (c(0) << 2) | (c(1) >> 3);
  const b1 = ((c(1) & 7) << 5) | c(2);
  const hex = parseInt(id.slice(3), 16);
  return [0x0c, b0, b1, hex >> 8, hex & 0xff];
}

export function name(n: string, value: Aml): Aml {
  return [0x08, ...nameString(n), ...value];
}

export function pkg(...elements: Aml[]): Aml {
  const body = [elements.length, ...elements.flat()];
  return [0x12, ...pkgLength(body.length), ...body];
}

export function scope(n: string, ...terms: Aml[]): Aml {
  const body = [...nameString(n), ...terms.flat()];
  return [0x10, ...pkgLength(body.length), ...body];
}

export function device(n: string, ...terms: Aml[]): Aml {
  const body = [...nameString(n), ...terms.flat()];
  return [0x5b, 0x82, ...pkgLength(body.length), ...body];
}
