// The built-in BareMetal system (docs/boot-protocol.md): finding what tools/build-guest.mjs wrote to build/ (boot
// image, .sym maps), and booting it on a machine through the loader's 64-bit entry, optionally with another
// BareMetal kernel or payload in place of ours.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors.js';
import type { Machine } from './machine.js';
import { SymbolMap } from './symbols.js';
import { applyEntryState } from './loaders/entry.js';
import { loadBareMetal, parseBootImage, replaceSections, BareMetalBoot, BootImage } from './loaders/baremetal.js';
import { readImage } from '../devices/host/files.js';
import * as abi from './abi.js';

/** A built-in program: its bytes (from the image's program bundle) and its own symbol map, if built. */
export interface BuiltinProgram {
  name: string;
  bytes: Uint8Array;
  symbols: SymbolMap | undefined;
}

/** build/ as the guest build left it. */
export interface BuiltinSystem {
  dir: string;
  /** build/bmjit.img, parsed. */
  image: BootImage;
  /** `.sym` text per part (empty when a map is missing). */
  symbols: { loader: string; kernel: string; monitor: string };
  programs: BuiltinProgram[];
}

const NOT_BUILT = 'run `npm run build:guest` first';

/** build/ of the bmjit checkout this module belongs to (the nearest parent folder with bmjit's package.json). */
export function builtinBuildDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'bmjit') return join(dir, 'build');
      } catch {
        // not ours: keep looking
      }
    }
    dir = dirname(dir);
  }
  throw new UserError(`cannot find the bmjit package folder above ${dirname(fileURLToPath(import.meta.url))}`);
}

function symText(dir: string, name: string): string {
  const p = join(dir, `${name}.sym`);
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

/** Programs in the image's BMFS-Lite bundle (1 KiB blocks, 64-byte records: name, start block, reserved, size). */
export function bundlePrograms(image: BootImage): Array<{ name: string; bytes: Uint8Array }> {
  const s = image.sections[abi.IMG_SECT_BUNDLE];
  const b = image.bytes.subarray(s.offset, s.offset + s.size);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (let r = 0; r < abi.BMFS_DIR_ENTRIES && (r + 1) * abi.BMFS_RECORD_SIZE <= b.length; r++) {
    const rec = r * abi.BMFS_RECORD_SIZE;
    if (b[rec] === 0) break;
    if (b[rec] === 1) continue; // deleted
    const nameEnd = b.subarray(rec, rec + abi.BMFS_NAME_SIZE).indexOf(0);
    const name = String.fromCharCode(...b.subarray(rec, rec + (nameEnd < 0 ? abi.BMFS_NAME_SIZE : nameEnd)));
    const start = Number(dv.getBigUint64(rec + abi.BMFS_REC_START, true)) * abi.BMFS_BLOCK_SIZE;
    const size = Number(dv.getBigUint64(rec + abi.BMFS_REC_SIZE, true));
    if (start + size <= b.length) out.push({ name, bytes: b.subarray(start, start + size) });
  }
  return out;
}

/**
 * A program's map with names as `program.symbol`; programs are linked at PROGRAM_ADDRESS (0xFFFF8000_00000000), so
 * addresses become the signed canonical numbers the CPU uses for linear addresses.
 */
function programSymbols(program: string, text: string): SymbolMap | undefined {
  if (text === '') return undefined;
  const out: Array<[number, string]> = [];
  for (const [i, line] of text.split('\n').entries()) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(?:0x)?([0-9a-f]{1,16})\s+(\S+)$/i.exec(t);
    if (m === null) throw new UserError(`${program}.sym:${i + 1}: expected 'ADDRESS SYMBOL'`);
    const a = BigInt('0x' + m[1]); // exact: a double cannot hold 0xFFFF8000_00000060
    out.push([Number(a >= 2n ** 63n ? a - 2n ** 64n : a), `${program}.${m[2]}`]);
  }
  return new SymbolMap(out);
}

/** Read the built-in system from `dir` (default: this checkout's build/); one-line UserErrors if it is missing. */
export function readBuiltin(dir = builtinBuildDir()): BuiltinSystem {
  const imgPath = join(dir, 'bmjit.img');
  if (!existsSync(imgPath)) throw new UserError(`the built-in BareMetal system is not built (${imgPath} is missing): ${NOT_BUILT}`);
  const image = parseBootImage(readImage(imgPath, 'boot image'), imgPath);
  const programs = bundlePrograms(image).map((p) => ({ ...p, symbols: programSymbols(p.name, symText(dir, p.name)) }));
  return {
    dir,
    image,
    symbols: { loader: symText(dir, 'loader'), kernel: symText(dir, 'kernel'), monitor: symText(dir, 'monitor') },
    programs,
  };
}

export interface BootOptions {
  /** The built-in system (default: readBuiltin()). */
  system?: BuiltinSystem;
  /** Another BareMetal kernel (flat binary starting with a jump over BAREMETAL) instead of ours. */
  kernel?: Uint8Array;
  kernelName?: string;
  /** `.sym` text for that kernel. */
  kernelSymbols?: string;
  /** Another payload instead of the monitor (flat binary run at PAYLOAD_ADDRESS on the BSP). */
  payload?: Uint8Array;
  payloadName?: string;
  payloadSymbols?: string;
}

const symbolized = new WeakSet<Machine>();

/** Reset `m`, load the built-in system (with any replacements) and put vCPU 0 at the loader's 64-bit entry. */
export function bootBuiltin(m: Machine, opts: BootOptions = {}): BareMetalBoot {
  const sys = opts.system ?? readBuiltin();
  const bytes =
    opts.kernel === undefined && opts.payload === undefined
      ? sys.image.bytes
      : replaceSections(sys.image, { kernel: opts.kernel, kernelName: opts.kernelName, payload: opts.payload, payloadName: opts.payloadName });
  m.reset();
  const boot = loadBareMetal(m.phys, bytes, m.platform.reservedRanges, join(sys.dir, 'bmjit.img'));
  applyEntryState(m.cpus[0], boot.entry);
  if (!symbolized.has(m)) {
    symbolized.add(m);
    addSymbols(m, sys.symbols.loader, 'loader.sym');
    addSymbols(m, opts.kernel === undefined ? sys.symbols.kernel : (opts.kernelSymbols ?? ''), 'kernel symbols');
    addSymbols(m, opts.payload === undefined ? sys.symbols.monitor : (opts.payloadSymbols ?? ''), 'payload symbols');
    addProgramSymbols(m, sys.programs);
  }
  return boot;
}

function addSymbols(m: Machine, text: string, what: string): void {
  if (text !== '') m.addSymbols(text, what);
}

/**
 * Programs all run at PROGRAM_ADDRESS; which map applies is decided by what sits at PROGRAM_PHYS_ADDRESS (the
 * monitor copies a program there before calling it). Only symbol look-ups (JIT region names, traces) pay for this.
 */
function addProgramSymbols(m: Machine, programs: readonly BuiltinProgram[]): void {
  const withSyms = programs.filter((p) => p.symbols !== undefined);
  if (withSyms.length === 0) return;
  const base = Number(abi.PROGRAM_ADDRESS - 2n ** 64n);
  const ramOff = m.phys.ramOffset(abi.PROGRAM_PHYS_ADDRESS);
  const span = Math.min(abi.BUNDLE_MAX_SIZE, m.phys.lowSize - abi.PROGRAM_PHYS_ADDRESS);
  let last: BuiltinProgram | undefined;
  const resident = (p: BuiltinProgram): boolean => {
    const ram = m.phys.u8;
    if (ramOff < 0 || ramOff + p.bytes.length > ram.length) return false;
    for (let i = 0; i < p.bytes.length; i++) if (ram[ramOff + i] !== p.bytes[i]) return false;
    return true;
  };
  m.symbols.addDynamic(base, base + span, () => {
    if (last !== undefined && resident(last)) return last.symbols;
    last = withSyms.find(resident);
    return last?.symbols;
  });
}
