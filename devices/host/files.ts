// Host file access for the CLI (Node fs at the edge): read an image or a symbol map with user-readable errors.
import { readFileSync, statSync, existsSync } from 'node:fs';
import { UserError } from '../../machine/errors.js';

/** Read a whole file; missing, unreadable or directory paths become one-line UserErrors. */
export function readImage(path: string, what = 'file'): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError(`${what} '${path}' does not exist`);
  }
  if (st.isDirectory()) throw new UserError(`${what} '${path}' is a directory`);
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new UserError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function readText(path: string, what = 'file'): string {
  return new TextDecoder().decode(readImage(path, what));
}

/** The `.sym` map next to an image (`kernel.bin` -> `kernel.sym`, or `kernel.bin.sym`), if present. */
export function siblingSymbols(imagePath: string): string | undefined {
  const base = imagePath.replace(/\.[^./]*$/, '');
  for (const p of [base + '.sym', imagePath + '.sym']) if (existsSync(p)) return p;
  return undefined;
}
