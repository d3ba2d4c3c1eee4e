// Little-endian byte assembly for ACPI tables (ACPI 6.4 §5.2: tables are little-endian packed structures; §5.2.3.2
// Generic Address Structure; §5.2.6 system description table header and its checksum).

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }

  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }

  /** 64-bit value from a non-negative integer below 2^53. */
  u64(v: number): this {
    return this.u32(v % 0x1_0000_0000).u32(Math.floor(v / 0x1_0000_0000));
  }

  /** ASCII string padded with spaces (or truncated) to exactly `width` bytes. */
  str(s: string, width: number = s.length): this {
    for (let i = 0; i < width; i++) this.u8(i < s.length ? s.charCodeAt(i) : 0x20);
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.u8(b[i]);
    return this;
  }

  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.u8(0);
    return this;
  }

  /** Generic Address Structure (12 bytes). */
  gas(space: AddressSpace, bitWidth: number, bitOffset: number, accessSize: number, address: number): this {
    return this.u8(space).u8(bitWidth).u8(bitOffset).u8(accessSize).u64(address);
  }

  patch32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.buf[at + i] = (v >>> (8 * i)) & 0xff;
  }

  patch8(at: number, v: number): void {
    this.buf[at] = v & 0xff;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export const enum AddressSpace {
  SystemMemory = 0,
  SystemIo = 1,
}

/** Access sizes in a GAS: 1 = byte, 2 = word, 3 = dword, 4 = qword. */
export const enum AccessSize {
  Undefined = 0,
  Byte = 1,
  Word = 2,
  Dword = 3,
  Qword = 4,
}

/** Two's-complement byte that makes the sum of `bytes[from, to)` zero. */
export function checksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s = (s + bytes[i]) & 0xff;
  return (0x100 - s) & 0xff;
}

export interface OemInfo {
  /** 6 characters. */
  oemId: string;
  /** 8 characters. */
  oemTableId: string;
  oemRevision: number;
  /** 4 characters. */
  creatorId: string;
  creatorRevision: number;
}

/** Start a table: the 36-byte header with length and checksum patched by finishTable(). */
export function beginTable(signature: string, revision: number, oem: OemInfo): ByteWriter {
  const w = new ByteWriter();
  w.str(signature, 4).u32(0).u8(revision).u8(0);
  w.str(oem.oemId, 6).str(oem.oemTableId, 8).u32(oem.oemRevision).str(oem.creatorId, 4).u32(oem.creatorRevision);
  return w;
}

export function finishTable(w: ByteWriter): Uint8Array {
  w.patch32(4, w.length);
  const out = w.result();
  out[9] = checksum(out);
  return out;
}
