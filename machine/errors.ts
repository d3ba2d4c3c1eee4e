// User-facing errors and argument parsing (bmjit CLI conventions): anything the user can get wrong is a UserError,
// printed as one line `bmjit: error: ...`; anything else is a bug in bmjit.

/** A mistake in the user's input (file, option, number, image format). Never shown with a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * Parse a byte count: a plain integer (decimal or 0x hex) or a number with a K/M/G/T suffix (binary units, an
 * optional trailing "B"/"iB"), e.g. "256M", "1G", "0x10000000". QEMU's `-m` accepts the same forms.
 */
export function parseSize(text: string | number, what = 'size'): number {
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0) throw new UserError(`bad ${what}: ${text}`);
    return text;
  }
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(t);
  if (m === null) throw new UserError(`bad ${what} '${text}' (expected e.g. 256M, 1G or a byte count)`);
  const v = Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()];
  if (!Number.isSafeInteger(v)) throw new UserError(`bad ${what} '${text}'`);
  return v;
}

/** Parse an unsigned integer in decimal, 0x hex, 0o octal or 0b binary ("_" separators allowed). */
export function parseUint(text: string | number, what = 'number'): number {
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0) throw new UserError(`bad ${what}: ${text}`);
    return text;
  }
  const t = text.trim().replace(/_/g, '');
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0o[0-7]+$/i.test(t)) v = parseInt(t.slice(2), 8);
  else if (/^0b[01]+$/i.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^\d+$/.test(t)) v = Number(t);
  else throw new UserError(`bad ${what} '${text}' (expected a decimal or 0x-prefixed number)`);
  if (!Number.isSafeInteger(v)) throw new UserError(`${what} '${text}' is too large`);
  return v;
}

/** Parse an instruction count: like parseUint but also accepts K/M/G suffixes (decimal: 10M = 10,000,000). */
export function parseCount(text: string | number, what = 'count'): number {
  if (typeof text === 'number') return parseUint(text, what);
  const m = /^(\d+)\s*([KMG])$/i.exec(text.trim());
  if (m !== null) return Number(m[1]) * { K: 1e3, M: 1e6, G: 1e9 }[m[2].toUpperCase() as 'K' | 'M' | 'G'];
  return parseUint(text, what);
}

/** Why a run ended, mapped to the process exit status the CLI uses (even numbers never clash with debug-exit's odd ones). */
export const ExitStatus = {
  /** The guest shut the machine down (ACPI S5, or Ctrl-A X at the console). */
  shutdown: 0,
  /** Bad command line, unreadable or malformed image. */
  userError: 2,
  /** The guest triple-faulted; the report is printed on stderr. */
  tripleFault: 4,
  /** --max-instructions was reached. */
  maxInstructions: 6,
  /** Every vCPU halted with interrupts disabled and nothing can wake it. */
  halted: 8,
  /** An internal bmjit error (a bug): the message is printed on stderr. */
  internal: 10,
  /** Interrupted by Ctrl-C (shell convention 128 + SIGINT). */
  interrupted: 130,
} as const;
