#!/usr/bin/env node
// Builds the guest software into build/: loader, kernel, monitor payload, programs, the BMFS-Lite program bundle,
// the boot image build/bmjit.img (docs/boot-protocol.md) and a symbol map per binary (build/<name>.sym).
//   node tools/build-guest.mjs [--force] [--quiet]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { ROOT, drift, loadAbi } from './gen-abi.mjs';

const BUILD = join(ROOT, 'build');
const OBJ = join(BUILD, 'obj');
const FORCE = process.argv.includes('--force');
const QUIET = process.argv.includes('--quiet');
const SELF = join(ROOT, 'tools', 'build-guest.mjs');
const INCLUDE_DIRS = ['kernel/include', 'apps/include'];

/** Programs bundled into the image, in directory order. Each is a folder apps/<name>/ with .s and/or .c files. */
const PROGRAMS = ['hello', 'helloc', 'sysinfo', 'smptest', 'abitest', 'bench'];

const ASFLAGS = ['--64', '--strip-local-absolute', '-I', join(ROOT, 'kernel/include')];
const CFLAGS = [
  '-m64', '-O2', '-std=gnu11', '-ffreestanding', '-nostdlib', '-nostdinc', '-mno-red-zone', '-fno-stack-protector',
  '-fomit-frame-pointer', '-fno-builtin', '-fpie', '-fno-asynchronous-unwind-tables', '-fno-exceptions',
  '-fno-tree-loop-distribute-patterns', '-Wall', '-Wextra', '-I', join(ROOT, 'apps/include'),
];
const LDFLAGS = ['-static', '-nostdlib', '--no-warn-rwx-segments', '-z', 'noexecstack', '-z', 'norelro', '--build-id=none'];

class BuildError extends Error {}

function fail(msg) {
  throw new BuildError(msg);
}

function log(msg) {
  if (!QUIET) console.log(msg);
}

function checkTools() {
  for (const tool of ['as', 'ld', 'objcopy', 'nm', 'gcc']) {
    const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) {
      fail(`'${tool}' is missing: install GNU binutils and gcc (Debian/Ubuntu: apt-get install binutils gcc)`);
    }
  }
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);
const rel = (p) => relative(ROOT, p);

function listFiles(dir, exts) {
  const full = join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((f) => exts.includes(extname(f)))
    .sort()
    .map((f) => join(full, f));
}

const includeFiles = () => INCLUDE_DIRS.flatMap((d) => listFiles(d, ['.inc', '.h']));

/** True when `out` is missing or older than any input. */
function stale(out, inputs) {
  if (FORCE) return true;
  const t = mtime(out);
  if (t < 0) return true;
  return inputs.some((i) => mtime(i) > t);
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => reject(new BuildError(`${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new BuildError(`${cmd} ${args.map((a) => (a.startsWith(ROOT) ? rel(a) : a)).join(' ')}\n${out.trim()}`));
    });
  });
}

/** Runs jobs with at most `limit` in flight. */
async function pool(jobs, limit = 4) {
  const results = [];
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** Compiles or assembles one source into build/obj/<group>/<name>.o. */
async function compile(group, src, extraDeps) {
  const dir = join(OBJ, group);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, basename(src).replace(/\.[sc]$/, (m) => (m === '.s' ? '.s.o' : '.c.o')));
  if (stale(out, [src, SELF, ...extraDeps])) {
    if (src.endsWith('.s')) await run('as', [...ASFLAGS, src, '-o', out]);
    else await run('gcc', [...CFLAGS, '-c', src, '-o', out]);
  }
  return out;
}

/** Parses `nm -n` output into sorted { address: bigint, name } records of code and data symbols. */
function parseNm(text) {
  const syms = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{16}) ([TtDdBbRrWw]) (\S+)$/.exec(line.trim());
    if (m) syms.push({ address: BigInt('0x' + m[1]), name: m[3] });
  }
  syms.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name < b.name ? -1 : 1));
  return syms;
}

const symText = (syms) => syms.map((s) => `${s.address.toString(16).padStart(16, '0')} ${s.name}`).join('\n') + '\n';

/** Links objects with a script into build/<name>.elf, then .bin (flat) and .sym. Returns the symbols. */
async function link(name, script, objects) {
  const elf = join(BUILD, `${name}.elf`);
  const bin = join(BUILD, `${name}.bin`);
  const sym = join(BUILD, `${name}.sym`);
  if (stale(bin, [script, SELF, ...objects]) || !existsSync(sym) || !existsSync(elf)) {
    await run('ld', [...LDFLAGS, '-T', script, '-o', elf, ...objects]);
    await run('objcopy', ['-O', 'binary', elf, bin]);
    writeFileSync(sym, symText(parseNm(await run('nm', ['-n', '--defined-only', elf]))));
    log(`  ${rel(bin)} (${statSync(bin).size} bytes)`);
  }
  return readSym(sym);
}

/** Writes only when the content changed, so an unchanged build leaves every timestamp alone. */
function writeIfChanged(path, data) {
  if (existsSync(path) && readFileSync(path).equals(Buffer.isBuffer(data) ? data : Buffer.from(data))) return false;
  writeFileSync(path, data);
  return true;
}

function readSym(path) {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [a, n] = l.split(' ');
      return { address: BigInt('0x' + a), name: n };
    });
}

function symbol(syms, name, what) {
  const s = syms.find((x) => x.name === name);
  if (!s) fail(`${what}: symbol ${name} not found`);
  return s.address;
}

function abiConstants() {
  const c = {};
  for (const g of loadAbi().groups) for (const k of g.constants) c[k.name] = k.num ?? k.value;
  return c;
}

async function buildLoader(inc) {
  const srcs = listFiles('firmware/loader', ['.s']);
  const objs = await pool(srcs.map((s) => () => compile('loader', s, inc)));
  return link('loader', join(ROOT, 'firmware/loader/loader.ld'), objs);
}

/** Dev tool: the Multiboot shim that exercises the 64-bit entry on QEMU (firmware/shim, not part of the image). */
async function buildShim(inc) {
  const srcs = listFiles('firmware/shim', ['.s']);
  const objs = await pool(srcs.map((s) => () => compile('shim', s, inc)));
  return link('entry64-shim', join(ROOT, 'firmware/shim/shim.ld'), objs);
}

async function buildKernel(inc) {
  const srcs = listFiles('kernel', ['.s']);
  // header.s first: the link script keeps .text.header first anyway, this keeps the map readable
  srcs.sort((a, b) => (basename(a) === 'header.s' ? -1 : basename(b) === 'header.s' ? 1 : a < b ? -1 : 1));
  const objs = await pool(srcs.map((s) => () => compile('kernel', s, inc)));
  return link('kernel', join(ROOT, 'kernel/kernel.ld'), objs);
}

async function libObjects(inc) {
  const srcs = listFiles('apps/lib', ['.s', '.c']);
  return pool(srcs.map((s) => () => compile('lib', s, inc)));
}

/** A C or asm app: objects of apps/<dir>, plus crt0 and the C library when it has C code. */
async function buildApp(name, dir, script, inc, lib) {
  const srcs = listFiles(dir, ['.s', '.c']);
  if (srcs.length === 0) fail(`${dir}: no sources`);
  const objs = await pool(srcs.map((s) => () => compile(`app-${name}`, s, inc)));
  const hasC = srcs.some((s) => s.endsWith('.c'));
  const crt0 = lib.find((o) => basename(o) === 'crt0.s.o');
  const rest = lib.filter((o) => o !== crt0);
  return link(name, join(ROOT, script), hasC ? [crt0, ...objs, ...rest] : objs);
}

/** BMFS-Lite: 1 KiB blocks, 64 x 64-byte records in blocks 0-3, files contiguous from block 4. */
function buildBundle(c, programs) {
  const block = Number(c.BMFS_BLOCK_SIZE);
  const dirSize = Number(c.BMFS_DIR_SIZE);
  const recSize = Number(c.BMFS_RECORD_SIZE);
  if (programs.length > Number(c.BMFS_DIR_ENTRIES)) fail('too many programs for one BMFS directory');
  const files = programs.map((p) => ({ name: p, data: readFileSync(join(BUILD, `${p}.bin`)) }));
  let nextBlock = dirSize / block;
  const layout = files.map((f) => {
    const blocks = Math.max(1, Math.ceil(f.data.length / block));
    const r = { ...f, start: nextBlock, blocks };
    nextBlock += blocks;
    return r;
  });
  const img = Buffer.alloc(nextBlock * block);
  layout.forEach((f, i) => {
    const rec = i * recSize;
    if (f.name.length >= Number(c.BMFS_NAME_SIZE)) fail(`program name too long: ${f.name}`);
    img.write(f.name, rec, 'ascii');
    img.writeBigUInt64LE(BigInt(f.start), rec + Number(c.BMFS_REC_START));
    img.writeBigUInt64LE(BigInt(f.blocks), rec + Number(c.BMFS_REC_RESERVED));
    img.writeBigUInt64LE(BigInt(f.data.length), rec + Number(c.BMFS_REC_SIZE));
    f.data.copy(img, f.start * block);
  });
  if (img.length > Number(c.BUNDLE_MAX_SIZE)) fail(`program bundle is ${img.length} bytes, more than BUNDLE_MAX_SIZE`);
  writeIfChanged(join(BUILD, 'programs.bmfs'), img);
  return img;
}

/** build/bmjit.img: header page, loader (in place), kernel, payload, bundle, each at a 4 KiB boundary. */
function buildImage(c, loaderSyms, parts) {
  const align = Number(c.IMG_ALIGN);
  const up = (n) => Math.ceil(n / align) * align;
  const load = Number(c.IMG_LOAD_ADDRESS);
  const sections = [];
  let off = Number(c.IMG_LOADER_OFFSET);
  for (const p of parts) {
    sections.push({ ...p, offset: p.data.length ? off : 0 });
    off = up(off + p.data.length);
  }
  const size = off;
  const img = Buffer.alloc(size);
  img.write(c.IMG_MAGIC, Number(c.IMG_HDR_MAGIC), 'ascii');
  img.writeUInt32LE(Number(c.IMG_FORMAT_VERSION), Number(c.IMG_HDR_VERSION));
  img.writeUInt32LE(Number(c.IMG_HEADER_SIZE), Number(c.IMG_HDR_HEADER_SIZE));
  img.writeUInt32LE(size, Number(c.IMG_HDR_IMAGE_SIZE));
  img.writeUInt32LE(load, Number(c.IMG_HDR_LOAD_ADDRESS));
  const entry32 = Number(symbol(loaderSyms, 'loader_entry32', 'loader')) - load;
  const entry64 = Number(symbol(loaderSyms, 'loader_entry64', 'loader')) - load;
  img.writeUInt32LE(entry32, Number(c.IMG_HDR_ENTRY32));
  img.writeUInt32LE(entry64, Number(c.IMG_HDR_ENTRY64));
  sections.forEach((s, i) => {
    const rec = Number(c.IMG_HDR_SECTIONS) + i * Number(c.IMG_SECT_RECORD_SIZE);
    img.writeUInt32LE(s.offset, rec + Number(c.IMG_SECT_OFFSET));
    img.writeUInt32LE(s.data.length, rec + Number(c.IMG_SECT_SIZE));
    img.writeUInt32LE(s.dest, rec + Number(c.IMG_SECT_DEST));
    s.data.copy(img, s.offset);
  });
  const mb = Number(c.IMG_HDR_MULTIBOOT);
  const magic = Number(c.MULTIBOOT_HEADER_MAGIC);
  const flags = Number(c.MULTIBOOT_HEADER_FLAGS);
  const words = [magic, flags, (0x100000000 - ((magic + flags) % 0x100000000)) % 0x100000000, load + mb, load, load + size, 0, load + entry32];
  words.forEach((w, i) => img.writeUInt32LE(w >>> 0, mb + i * 4));
  writeIfChanged(join(BUILD, 'bmjit.img'), img);
  return img;
}

function checkLimits(c, loaderSyms, kernelSyms, monitorSyms) {
  const trampoline = symbol(loaderSyms, 'trampoline_end', 'loader') - symbol(loaderSyms, 'trampoline_start', 'loader');
  if (trampoline > c.TRAMPOLINE_MAX_SIZE) fail(`AP trampoline is ${trampoline} bytes, more than TRAMPOLINE_MAX_SIZE`);
  if (symbol(loaderSyms, 'trampoline_start', 'loader') !== c.TRAMPOLINE_ADDRESS) fail('AP trampoline not linked at TRAMPOLINE_ADDRESS');
  if (symbol(loaderSyms, 'loader_entry32', 'loader') < c.LOADER_LINK_ADDRESS) fail('loader not linked at LOADER_LINK_ADDRESS');
  if (symbol(kernelSyms, 'kernel_start', 'kernel') !== c.KERNEL_ADDRESS) fail('kernel not linked at KERNEL_ADDRESS');
  if (symbol(kernelSyms, 'kernel_end', 'kernel') > c.KERNEL_ADDRESS + c.KERNEL_MAX_SIZE) fail('kernel (with .bss) exceeds KERNEL_MAX_SIZE');
  if (symbol(monitorSyms, '_start', 'monitor') !== c.PAYLOAD_ADDRESS) fail('monitor _start is not at PAYLOAD_ADDRESS');
  if (symbol(monitorSyms, '_end', 'monitor') > c.PAYLOAD_ADDRESS + c.PAYLOAD_MAX_SIZE) fail('monitor (with .bss) exceeds PAYLOAD_MAX_SIZE');
}

/** Serialises concurrent builds (parallel test workers all call this script) with a lock directory in build/. */
function acquireLock() {
  const lock = join(BUILD, '.build-guest.lock');
  const deadline = Date.now() + 120_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  mkdirSync(BUILD, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let pid = 0;
    try {
      pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // being created right now, or left behind before its pid was written
    }
    let stale = false;
    if (pid > 0) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        stale = e.code === 'ESRCH';
      }
    } else {
      stale = existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 10_000;
    }
    if (stale) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) fail('another guest build has held build/.build-guest.lock for 2 minutes');
    Atomics.wait(nap, 0, 0, 100);
  }
}

async function main() {
  const t0 = Date.now();
  checkTools();
  const release = acquireLock();
  try {
    await buildAll(t0);
  } finally {
    release();
  }
}

async function buildAll(t0) {
  const stalefiles = drift();
  if (stalefiles.length) fail(`generated ABI files are out of date (${stalefiles.join(', ')}): run node tools/gen-abi.mjs`);
  mkdirSync(OBJ, { recursive: true });
  const c = abiConstants();
  const inc = includeFiles();

  const lib = await libObjects(inc);
  const [shimSyms, loaderSyms, kernelSyms, monitorSyms, ...programSyms] = await Promise.all([
    buildShim(inc),
    buildLoader(inc),
    buildKernel(inc),
    buildApp('monitor', 'apps/monitor', 'apps/payload.ld', inc, lib),
    ...PROGRAMS.map((p) => buildApp(p, `apps/${p}`, 'apps/program.ld', inc, lib)),
  ]);
  checkLimits(c, loaderSyms, kernelSyms, monitorSyms);
  if (symbol(shimSyms, 'shim_start', 'entry64 shim') !== 0x1000000n) fail('entry64 shim not linked at 16 MiB');
  programSyms.forEach((syms, i) => {
    if (symbol(syms, '_start', PROGRAMS[i]) !== c.PROGRAM_ADDRESS) fail(`${PROGRAMS[i]}: _start is not at PROGRAM_ADDRESS`);
  });

  const bundle = buildBundle(c, PROGRAMS);
  const read = (n) => readFileSync(join(BUILD, `${n}.bin`));
  const img = buildImage(c, loaderSyms, [
    { data: read('loader'), dest: Number(c.LOADER_LINK_ADDRESS) },
    { data: read('kernel'), dest: Number(c.KERNEL_ADDRESS) },
    { data: read('monitor'), dest: Number(c.PAYLOAD_ADDRESS) },
    { data: bundle, dest: Number(c.BUNDLE_ADDRESS) },
  ]);
  // One map for everything resident at once (programs share PROGRAM_ADDRESS and keep their own maps).
  const all = [...loaderSyms, ...kernelSyms, ...monitorSyms].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  writeIfChanged(join(BUILD, 'bmjit.sym'), symText(all));
  log(`build-guest: build/bmjit.img ${img.length} bytes (${PROGRAMS.length} programs) in ${Date.now() - t0} ms`);
}

main().catch((e) => {
  if (e instanceof BuildError) {
    console.error(`build-guest: ${e.message}`);
    process.exit(1);
  }
  console.error(`build-guest: unexpected failure: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
