#!/usr/bin/env node
// Dev-only recorder (tests never run it): turns script.mjs into a 32-bit multiboot probe, runs it on QEMU q35 and
// writes every read result to transcript.json. Needs gcc (-m32), ld and qemu-system-x86_64.
//   node tests/devices/qemu-probe/record.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { steps } from './script.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bmjit-probe-'));
const hex = (n) => '0x' + (n >>> 0).toString(16);
const sfx = { 1: 'b', 2: 'w', 4: 'l' };
const ty = { 1: 'uint8_t', 2: 'uint16_t', 4: 'uint32_t' };
const reads = [];
const body = [];
for (const st of steps) {
  const [op, size, a, b, mask] = st;
  if (op === 'o') body.push(`out${sfx[size]}(${hex(a)}, ${hex(b)});`);
  else if (op === 'w') body.push(`*(volatile ${ty[size]} *)${hex(a)} = ${hex(b)};`);
  else if (op === 'i') {
    body.push(`res[${reads.length}] = in${sfx[size]}(${hex(a)});`);
    reads.push({ id: b, mask });
  } else if (op === 'r') {
    body.push(`res[${reads.length}] = *(volatile ${ty[size]} *)${hex(a)};`);
    reads.push({ id: b, mask });
  } else if (op === 'flush') body.push('flush();');
  else throw new Error(`bad step ${JSON.stringify(st)}`);
}
const c = `
typedef unsigned char uint8_t; typedef unsigned short uint16_t; typedef unsigned int uint32_t;
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static uint32_t res[${reads.length}];
static void flush(void) { for (int n = 0; n < 64 && (inb(0x64) & 1); n++) inb(0x60); }
static void putc_(char ch) { while (!(inb(0x3fd) & 0x20)) {} outb(0x3f8, ch); }
static void puthex(uint32_t v) { for (int s = 28; s >= 0; s -= 4) putc_("0123456789abcdef"[(v >> s) & 15]); }
void probe_main(void) {
${body.map((l) => '  ' + l).join('\n')}
  outb(0x3f9, 0); outb(0x3fb, 0x83); outb(0x3f8, 1); outb(0x3f9, 0); outb(0x3fb, 3); outb(0x3fa, 0); outb(0x3fc, 3);
  for (int k = 0; k < ${reads.length}; k++) { putc_('R'); putc_(' '); puthex(k); putc_(' '); puthex(res[k]); putc_('\\n'); }
  putc_('E'); putc_('\\n');
  outl(0xf4, 0);
}
`;
const asm = `
.section .multiboot, "a"
.align 4
.long 0x1BADB002
.long 0
.long -0x1BADB002
.text
.globl _start
_start:
  cli
  mov $stack_top, %esp
  call probe_main
1: hlt
  jmp 1b
.bss
.align 16
.skip 16384
stack_top:
`;
const ld = `ENTRY(_start) SECTIONS { . = 0x100000; .text : { *(.multiboot) *(.text*) } .rodata : { *(.rodata*) } .data : { *(.data*) } .bss : { *(.bss*) *(COMMON) } }`;
writeFileSync(join(dir, 'probe.c'), c);
writeFileSync(join(dir, 'start.S'), asm);
writeFileSync(join(dir, 'link.ld'), ld);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
run('gcc', ['-m32', '-O1', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-nostdlib', '-c', 'probe.c', '-o', 'probe.o']);
run("gcc", ["-m32", "-c", "-Wa,--noexecstack", "start.S", "-o", "start.o"]);
run('ld', ['-m', 'elf_i386', '-T', 'link.ld', '-o', 'probe.elf', 'start.o', 'probe.o']);
try {
  run('timeout', ['30', 'qemu-system-x86_64', '-M', 'q35', '-m', '256', '-smp', '1', '-display', 'none', '-no-reboot',
    '-serial', 'file:out.txt', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-kernel', 'probe.elf']);
} catch (e) {
  if (e.status !== 1) throw e; // isa-debug-exit with 0 exits with status 1
}
const lines = readFileSync(join(dir, 'out.txt'), 'latin1').split('\n');
if (!lines.includes('E')) throw new Error('probe did not finish');
const values = {};
for (const l of lines) {
  const m = /^R ([0-9a-f]{8}) ([0-9a-f]{8})$/.exec(l);
  if (m) {
    const k = parseInt(m[1], 16);
    const { id, mask } = reads[k];
    values[id] = (parseInt(m[2], 16) & (mask ?? 0xffffffff)) >>> 0;
  }
}
const version = execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0];
writeFileSync(join(here, 'transcript.json'), JSON.stringify({ source: `${version}, -M q35 -m 256, multiboot probe after SeaBIOS`, values }, null, 1) + '\n');
rmSync(dir, { recursive: true });
console.log(`recorded ${Object.keys(values).length} values`);
