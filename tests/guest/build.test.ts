// Guest build outputs (docs/boot-protocol.md, docs/kernel.md): boot image layout and Multiboot header, kernel header
// and call table, b_system dispatch, loader entries and AP trampoline, payload and program link addresses, the
// BMFS-Lite bundle, symbol maps, incremental rebuilds and the missing-tool message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as abi from '../../machine/abi.js';
import { ROOT, ensureGuestBuilt, readBuild, readSym, symAddr, type Sym } from './guest-files.js';

const PROGRAMS = ['hello', 'helloc', 'sysinfo', 'smptest', 'abitest', 'bench'];

let image: Buffer;
let kernel: Buffer;
let loader: Buffer;
let kernelSyms: Sym[];
let loaderSyms: Sym[];

beforeAll(() => {
  ensureGuestBuilt();
  image = readBuild('bmjit.img');
  kernel = readBuild('kernel.bin');
  loader = readBuild('loader.bin');
  kernelSyms = readSym('kernel');
  loaderSyms = readSym('loader');
}, 120_000);

/** Bytes of a linked binary at a virtual address (flat binaries start at their link address). */
function at(bin: Buffer, base: bigint, addr: bigint, len: number): Buffer {
  const off = Number(addr - base);
  return bin.subarray(off, off + len);
}

describe('boot image header', () => {
  const u32 = (off: number) => image.readUInt32LE(off);

  it('starts with the magic, version and sizes', () => {
    expect(image.subarray(0, 8).toString('latin1')).toBe(abi.IMG_MAGIC);
    expect(u32(abi.IMG_HDR_VERSION)).toBe(abi.IMG_FORMAT_VERSION);
    expect(u32(abi.IMG_HDR_HEADER_SIZE)).toBe(abi.IMG_HEADER_SIZE);
    expect(u32(abi.IMG_HDR_IMAGE_SIZE)).toBe(image.length);
    expect(u32(abi.IMG_HDR_LOAD_ADDRESS)).toBe(abi.IMG_LOAD_ADDRESS);
    expect(image.length % abi.IMG_ALIGN).toBe(0);
    expect(image.subarray(abi.IMG_HEADER_SIZE, abi.IMG_LOADER_OFFSET).every((b) => b === 0)).toBe(true);
  });

  it('entry offsets name the loader entry symbols', () => {
    expect(BigInt(u32(abi.IMG_HDR_ENTRY32) + abi.IMG_LOAD_ADDRESS)).toBe(symAddr(loaderSyms, 'loader_entry32'));
    expect(BigInt(u32(abi.IMG_HDR_ENTRY64) + abi.IMG_LOAD_ADDRESS)).toBe(symAddr(loaderSyms, 'loader_entry64'));
  });

  it('section records locate the built binaries at their destinations', () => {
    const parts = [
      { data: loader, dest: abi.LOADER_LINK_ADDRESS },
      { data: kernel, dest: abi.KERNEL_ADDRESS },
      { data: readBuild('monitor.bin'), dest: abi.PAYLOAD_ADDRESS },
      { data: readBuild('programs.bmfs'), dest: abi.BUNDLE_ADDRESS },
    ];
    let end = 0;
    parts.forEach((p, i) => {
      const rec = abi.IMG_HDR_SECTIONS + i * abi.IMG_SECT_RECORD_SIZE;
      const off = u32(rec + abi.IMG_SECT_OFFSET);
      const size = u32(rec + abi.IMG_SECT_SIZE);
      expect(off % abi.IMG_ALIGN, `section ${i}`).toBe(0);
      expect(off, `section ${i} order`).toBeGreaterThanOrEqual(end);
      expect(size).toBe(p.data.length);
      expect(u32(rec + abi.IMG_SECT_DEST)).toBe(p.dest);
      expect(image.subarray(off, off + size).equals(p.data), `section ${i} bytes`).toBe(true);
      end = off + size;
    });
    // the loader runs in place: its file offset must match its link address
    expect(u32(abi.IMG_HDR_SECTIONS + abi.IMG_SECT_OFFSET)).toBe(abi.IMG_LOADER_OFFSET);
    expect(abi.IMG_LOAD_ADDRESS + abi.IMG_LOADER_OFFSET).toBe(abi.LOADER_LINK_ADDRESS);
  });

  it('carries a valid Multiboot v1 a.out-kludge header in the first 8 KiB', () => {
    const mb = abi.IMG_HDR_MULTIBOOT;
    const w = (i: number) => image.readUInt32LE(mb + 4 * i);
    expect(mb % 4).toBe(0);
    expect(mb + 32).toBeLessThanOrEqual(8192);
    expect(w(0)).toBe(abi.MULTIBOOT_HEADER_MAGIC);
    expect(w(1)).toBe(abi.MULTIBOOT_HEADER_FLAGS);
    expect((w(0) + w(1) + w(2)) % 2 ** 32).toBe(0);
    expect(w(3) - w(4)).toBe(mb); // header_addr - load_addr = header's file offset
    expect(w(4)).toBe(abi.IMG_LOAD_ADDRESS);
    expect(w(5)).toBe(abi.IMG_LOAD_ADDRESS + image.length); // load_end_addr: the whole file
    expect(w(6)).toBe(0); // no bss
    expect(w(7)).toBe(abi.IMG_LOAD_ADDRESS + u32(abi.IMG_HDR_ENTRY32));
  });
});

describe('loader', () => {
  it('links the AP trampoline at 0x8000 and keeps it small', () => {
    const start = symAddr(loaderSyms, 'trampoline_start');
    expect(start).toBe(BigInt(abi.TRAMPOLINE_ADDRESS));
    expect(symAddr(loaderSyms, 'trampoline_end') - start).toBeLessThanOrEqual(BigInt(abi.TRAMPOLINE_MAX_SIZE));
    expect(symAddr(loaderSyms, 'ap_entry16')).toBe(BigInt(abi.TRAMPOLINE_ADDRESS));
  });

  it('stores the trampoline inside the loader: cli, then a far jump to 0000:ap_real', () => {
    const lma = symAddr(loaderSyms, 'trampoline_lma');
    const code = at(loader, BigInt(abi.LOADER_LINK_ADDRESS), lma, 6);
    expect(code[0]).toBe(0xfa);
    expect(code[1]).toBe(0xea);
    expect(BigInt(code.readUInt16LE(2))).toBe(symAddr(loaderSyms, 'ap_real'));
    expect(code.readUInt16LE(4)).toBe(0);
  });

  it('fits between its link address and the kernel section', () => {
    expect(abi.LOADER_LINK_ADDRESS + loader.length).toBeLessThanOrEqual(
      abi.IMG_LOAD_ADDRESS + image.readUInt32LE(abi.IMG_HDR_SECTIONS + abi.IMG_SECT_RECORD_SIZE),
    );
  });
});

describe('kernel', () => {
  it('starts with a short jump, then BAREMETAL at offset 3', () => {
    expect(kernel[0]).toBe(0xeb);
    expect(BigInt(abi.KERNEL_ADDRESS + 2 + kernel[1])).toBe(symAddr(kernelSyms, 'kernel_entry'));
    expect(kernel.subarray(abi.KERNEL_SIGNATURE_OFFSET, abi.KERNEL_SIGNATURE_OFFSET + 9).toString('latin1')).toBe(abi.KERNEL_SIGNATURE);
  });

  it('has the call table at 0x100010 pointing at the entry points', () => {
    for (const [name, slot] of Object.entries(abi.CALL_TABLE)) {
      const target = kernel.readBigUInt64LE(slot - abi.KERNEL_ADDRESS);
      expect(target, name).toBe(symAddr(kernelSyms, name));
    }
  });

  it('dispatches every b_system number to its handler, unknown numbers to sys_none', () => {
    const handler: Record<string, string> = {
      TIMECOUNTER: 'sys_timecounter', FREE_MEMORY: 'sys_free_memory', SMP_ID: 'sys_smp_id', SMP_NUMCORES: 'sys_smp_numcores',
      SMP_SET: 'smp_set', SMP_GET: 'smp_get', SMP_LOCK: 'smp_lock', SMP_UNLOCK: 'smp_unlock', SMP_BUSY: 'smp_busy',
      TSC: 'sys_tsc', SCREEN_LFB_GET: 'sys_none', SCREEN_X_GET: 'sys_none', SCREEN_Y_GET: 'sys_none',
      SCREEN_PPSL_GET: 'sys_none', SCREEN_BPP_GET: 'sys_none', NET_STATUS: 'net_status', NET_CONFIG: 'net_config',
      BUS_READ: 'sys_bus_read', BUS_WRITE: 'sys_bus_write', STDOUT_SET: 'sys_stdout_set', STDOUT_GET: 'sys_stdout_get',
      CALLBACK_TIMER: 'sys_callback_timer', CALLBACK_NETWORK: 'sys_callback_network',
      CALLBACK_KEYBOARD: 'sys_callback_keyboard', DUMP_MEM: 'sys_dump_mem', DUMP_RAX: 'sys_dump_rax',
      DELAY: 'sys_delay', RESET: 'sys_reset', REBOOT: 'sys_reboot', SHUTDOWN: 'sys_shutdown',
    };
    const table = symAddr(kernelSyms, 'sys_table');
    const entry = (n: number) => kernel.readBigUInt64LE(Number(table - BigInt(abi.KERNEL_ADDRESS)) + n * 8);
    const byNumber = new Map(Object.entries(abi.SYSTEM_FUNCTIONS).map(([k, v]) => [v, k]));
    expect(Object.keys(handler).sort()).toEqual(Object.keys(abi.SYSTEM_FUNCTIONS).sort());
    for (let n = 0; n < abi.SYS_FUNCTION_LIMIT; n++) {
      const name = byNumber.get(n);
      expect(entry(n), `function 0x${n.toString(16)} ${name ?? '(unassigned)'}`).toBe(symAddr(kernelSyms, name ? handler[name] : 'sys_none'));
    }
  });

  it('fits below the SMP table, .bss included', () => {
    expect(symAddr(kernelSyms, 'kernel_end')).toBeLessThanOrEqual(BigInt(abi.SMP_TABLE_ADDRESS));
    expect(kernel.length).toBeLessThanOrEqual(abi.KERNEL_MAX_SIZE);
  });
});

describe('payload and programs', () => {
  it('links the monitor at 0x1E0000 with _start first', () => {
    const syms = readSym('monitor');
    expect(symAddr(syms, '_start')).toBe(BigInt(abi.PAYLOAD_ADDRESS));
    expect(symAddr(syms, '_end') - BigInt(abi.PAYLOAD_ADDRESS)).toBeLessThanOrEqual(BigInt(abi.PAYLOAD_MAX_SIZE));
  });

  it('links every program at 0xFFFF800000000000 with _start first', () => {
    for (const p of PROGRAMS) expect(symAddr(readSym(p), '_start'), p).toBe(abi.PROGRAM_ADDRESS);
  });

  it('C programs call the kernel through the table (call qword [0x100018] and [0x100040])', () => {
    const callThrough = (slot: number) => Buffer.from([0xff, 0x14, 0x25, ...new Uint8Array(new Uint32Array([slot]).buffer)]);
    const helloc = readBuild('helloc.bin');
    expect(helloc.includes(callThrough(abi.CALL_B_OUTPUT))).toBe(true);
    expect(helloc.includes(callThrough(abi.CALL_B_SYSTEM))).toBe(true);
  });

  it('bundles the programs as BMFS-Lite: directory records, contiguous 1 KiB blocks, exact bytes', () => {
    const bundle = readBuild('programs.bmfs');
    let block = abi.BMFS_DIR_SIZE / abi.BMFS_BLOCK_SIZE;
    PROGRAMS.forEach((p, i) => {
      const rec = i * abi.BMFS_RECORD_SIZE;
      const name = bundle.subarray(rec, rec + abi.BMFS_NAME_SIZE).toString('latin1').replace(/\0.*$/s, '');
      const start = Number(bundle.readBigUInt64LE(rec + abi.BMFS_REC_START));
      const reserved = Number(bundle.readBigUInt64LE(rec + abi.BMFS_REC_RESERVED));
      const size = Number(bundle.readBigUInt64LE(rec + abi.BMFS_REC_SIZE));
      const bin = readBuild(`${p}.bin`);
      expect(name).toBe(p);
      expect(start, p).toBe(block);
      expect(size).toBe(bin.length);
      expect(reserved).toBe(Math.max(1, Math.ceil(size / abi.BMFS_BLOCK_SIZE)));
      expect(bundle.subarray(start * abi.BMFS_BLOCK_SIZE, start * abi.BMFS_BLOCK_SIZE + size).equals(bin), p).toBe(true);
      block += reserved;
    });
    expect(bundle[PROGRAMS.length * abi.BMFS_RECORD_SIZE]).toBe(0); // end of the directory
    expect(bundle.length).toBeLessThanOrEqual(abi.BUNDLE_MAX_SIZE);
  });
});

describe('symbol maps', () => {
  it('are "ADDRESS SYMBOL" lines sorted by address, code and data only', () => {
    for (const name of ['loader', 'kernel', 'monitor', 'bmjit', ...PROGRAMS]) {
      const syms = readSym(name);
      expect(syms.length, name).toBeGreaterThan(0);
      for (let i = 1; i < syms.length; i++) expect(syms[i - 1].address <= syms[i].address, `${name}: ${syms[i].name}`).toBe(true);
      expect(syms.some((s) => s.name === 'KERNEL_ADDRESS' || s.name === 'HPET_GCAP'), `${name} has assembler constants`).toBe(false);
    }
    const all = readSym('bmjit');
    expect(all.some((s) => s.name === 'init_bsp')).toBe(true);
    expect(all.some((s) => s.name === 'loader_main')).toBe(true);
    expect(all.some((s) => s.name === 'ap_entry16')).toBe(true);
  });
});

describe('build tool', () => {
  it('rebuilds nothing when nothing changed', () => {
    const before = statSync(join(ROOT, 'build/bmjit.img')).mtimeMs;
    const kernelBefore = statSync(join(ROOT, 'build/kernel.bin')).mtimeMs;
    const r = spawnSync(process.execPath, [join(ROOT, 'tools/build-guest.mjs'), '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(ROOT, 'build/kernel.bin')).mtimeMs).toBe(kernelBefore);
    expect(statSync(join(ROOT, 'build/bmjit.img')).mtimeMs).toBe(before);
  });

  it('names a missing tool in one line, without a stack trace', () => {
    const bin = mkdtempSync(join(tmpdir(), 'bmjit-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = spawnSync(process.execPath, [join(ROOT, 'tools/build-guest.mjs')], { encoding: 'utf8', env: { PATH: bin } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^build-guest: 'as' is missing: install GNU binutils and gcc/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
