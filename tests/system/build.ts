// Builds the system test kernels (tests/system/kernels/*.S, GNU as Intel syntax) into build/tests/ with binutils:
// flat a.out-kludge images via `ld --oformat binary`, ELF32 images via `ld -m elf_i386`; `.sym` maps from `nm`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const KERNELS = join(ROOT, 'tests/system/kernels');
export const OUT = join(ROOT, 'build/tests');
export const CLI = join(ROOT, 'dist/machine/cli/main.js');

interface KernelSpec {
  /** as --32 / --64 */
  arch: 32 | 64;
  /** Output kind: flat binary (a.out kludge) or ELF32. */
  kind: 'flat' | 'elf32';
}

export const SPECS: Record<string, KernelSpec> = {
  paging: { arch: 64, kind: 'flat' },
  modes: { arch: 32, kind: 'elf32' },
  triple: { arch: 32, kind: 'elf32' },
  bare: { arch: 64, kind: 'flat' },
  echo: { arch: 32, kind: 'flat' },
  reboot: { arch: 32, kind: 'flat' },
  timer: { arch: 32, kind: 'flat' },
};

/** Section-boundary symbols from the linker scripts: not code, and they would shadow real labels in traces. */
const LINKER_MARKERS = new Set(['image_start', 'load_end', 'bss_end', 'low_load', 'low_start', 'low_end', 'low_size']);

function newer(a: string, b: string): boolean {
  return statSync(a).mtimeMs > statSync(b).mtimeMs;
}

/** Assemble and link one kernel (if its sources changed); returns the image path. A `.sym` file sits beside it. */
export function buildKernel(name: keyof typeof SPECS & string): string {
  const spec = SPECS[name];
  if (spec === undefined) throw new Error(`unknown test kernel ${name}`);
  mkdirSync(OUT, { recursive: true });
  const src = join(KERNELS, `${name}.S`);
  const obj = join(OUT, `${name}.o`);
  const image = join(OUT, spec.kind === 'flat' ? `${name}.bin` : `${name}.elf`);
  const script = join(KERNELS, spec.kind === 'flat' ? 'flat.ld' : 'elf32.ld');
  const inputs = [src, script, ...readdirSync(KERNELS).filter((f) => f.endsWith('.inc')).map((f) => join(KERNELS, f))];
  if (existsSync(image) && inputs.every((i) => !newer(i, image))) return image;
  execFileSync('as', [spec.arch === 64 ? '--64' : '--32', '-I', KERNELS, '-o', obj, src], { stdio: 'pipe' });
  const elf = spec.kind === 'flat' ? obj.replace(/\.o$/, '.syms.elf') : image;
  const emu = spec.arch === 64 ? 'elf_x86_64' : 'elf_i386';
  if (spec.kind === 'flat') {
    execFileSync('ld', ['-m', emu, '-T', script, '-o', image, obj], { stdio: 'pipe' });
    // A second link to ELF only to get addresses for the symbol map.
    execFileSync('ld', ['-m', emu, '-T', script, '--oformat', spec.arch === 64 ? 'elf64-x86-64' : 'elf32-i386', '-o', elf, obj], { stdio: 'pipe' });
  } else {
    execFileSync('ld', ['-m', emu, '--no-warn-rwx-segments', '-T', script, '-o', image, obj], { stdio: 'pipe' });
  }
  const nm = execFileSync('nm', ['-n', elf], { encoding: 'utf8' });
  const sym = nm
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length === 3 && /^[tTdDbBrR]$/.test(p[1]) && !LINKER_MARKERS.has(p[2]))
    .map((p) => `${p[0]} ${p[2]}`)
    .join('\n');
  writeFileSync(image.replace(/\.(bin|elf)$/, '.sym'), sym + '\n');
  return image;
}

/** Address of a symbol in a built kernel's `.sym` map. */
export function symbolAddress(image: string, name: string): number {
  const text = readFileSync(image.replace(/\.(bin|elf)$/, '.sym'), 'utf8');
  for (const line of text.split('\n')) {
    const [a, n] = line.split(' ');
    if (n === name) return parseInt(a, 16);
  }
  throw new Error(`no symbol ${name} in ${image}`);
}
