// Sub-register access helpers for device register files (PC devices decode byte lanes of 32-bit registers).

/** Extract `size` bytes at byte `offset & 3` of a 32-bit register value (size 8 yields the whole dword). */
export function laneRead(dword: number, offset: number, size: number): number {
  if (size >= 4) return dword >>> 0;
  const shift = (offset & 3) * 8;
  return size === 1 ? (dword >>> shift) & 0xff : (dword >>> shift) & 0xffff;
}

/** Merge a `size`-byte write at byte `offset & 3` into the old 32-bit register value. */
export function laneWrite(old: number, offset: number, size: number, value: number): number {
  if (size >= 4) return value >>> 0;
  const shift = (offset & 3) * 8;
  const mask = (size === 1 ? 0xff : 0xffff) << shift;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}

export const TWO32 = 4294967296;

/** High dword of a non-negative integer below 2^53 held in a double. */
export function hi32(x: number): number {
  return Math.floor(x / TWO32) >>> 0;
}

/** Low dword of a non-negative integer held in a double. */
export function lo32(x: number): number {
  return x % TWO32 >>> 0;
}
