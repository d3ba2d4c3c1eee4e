// Whole-platform tests: q35 placement on the real IoBus/MmioBus, ISA interrupt routing through 8259 + I/O APIC
// + LAPIC, and the upstream BareMetal set-up (8259 unmasked, LINT0 ExtINT, keyboard on I/O APIC pin 1, the PIT's
// one IRQ0 left in service at the 8259) driven by a stand-in CPU that takes interrupts like the real one.
import { describe, expect, it } from 'vitest';
import { IoBus, MmioBus } from '../../machine/memory/bus.js';
import { PcPlatform, type PlatformResetCause } from '../../devices/platform/pc-platform.js';
import { BufferSerialBackend } from '../../devices/host/serial-backend.js';
import type { VcpuLink } from '../../devices/apic/vcpu-link.js';
import { FakeClock } from './fake-clock.js';

class Link implements VcpuLink {
  wakes = 0;
  log: string[] = [];
  wake(): void {
    this.wakes++;
  }
  init(): void {
    this.log.push('init');
  }
  startup(v: number): void {
    this.log.push(`sipi:${v}`);
  }
  nmi(): void {
    this.log.push('nmi');
  }
}

function machine(cpus = 2) {
  const clock = new FakeClock();
  const io = new IoBus();
  const mmio = new MmioBus();
  const serial = new BufferSerialBackend();
  const links = Array.from({ length: cpus }, () => new Link());
  const events: string[] = [];
  const p = new PcPlatform({
    cpus, ramSize: 256 << 20, clock, links, serial, hostTimeMs: () => Date.UTC(2025, 0, 1),
    onDebugExit: (s) => events.push(`exit:${s}`),
    onReset: (c: PlatformResetCause) => events.push(`reset:${c}`),
    onShutdown: () => events.push('shutdown'),
    onA20: (e) => events.push(`a20:${e}`),
  });
  p.register(io, mmio);
  const out = (port: number, v: number, size = 1): void => io.write(port, size, v);
  const inp = (port: number, size = 1): number => io.read(port, size);
  const lapicW = (cpu: number, reg: number, v: number): void => {
    p.apicBus.current = cpu;
    mmio.write(0xfee00000 + reg, 4, v);
  };
  const lapicR = (cpu: number, reg: number): number => {
    p.apicBus.current = cpu;
    return mmio.read(0xfee00000 + reg, 4);
  };
  const ioapicW = (index: number, v: number): void => {
    mmio.write(0xfec00000, 4, index);
    mmio.write(0xfec00010, 4, v);
  };
  return { clock, io, mmio, serial, links, events, p, out, inp, lapicW, lapicR, ioapicW };
}

type M = ReturnType<typeof machine>;

/** What BareMetal's kernel programs (see /work/shared/upstream-baremetal-hardware.md). */
function baremetalInit(m: M): void {
  const { out, inp, lapicW, ioapicW } = m;
  for (const [port, v] of [[0x20, 0x11], [0xa0, 0x11], [0x21, 0x20], [0xa1, 0x28], [0x21, 4], [0xa1, 2], [0x21, 1], [0xa1, 1], [0x21, 0], [0xa1, 0]]) out(port, v);
  for (let cpu = 0; cpu < m.p.lapics.length; cpu++) {
    lapicW(cpu, 0x80, 0); // TPR
    lapicW(cpu, 0xf0, 0x1ff); // SVR: enabled, spurious 0xFF
    lapicW(cpu, 0x320, 0x10000);
    lapicW(cpu, 0x340, 0x10000);
    lapicW(cpu, 0x370, 0x10000);
    lapicW(cpu, 0x350, 0x700); // LINT0 ExtINT
    lapicW(cpu, 0x360, 0x400); // LINT1 NMI
  }
  ioapicW(0x10 + 2, 0x21); // pin 1 -> vector 0x21, edge, physical APIC 0
  ioapicW(0x10 + 3, 0);
  // PIT programmed once: counter 0, mode 0.
  out(0x43, 0x30);
  out(0x40, 0x00);
  out(0x40, 0x10);
  // PS/2 as in ps2_init.
  inp(0x60);
  out(0x64, 0xad);
  out(0x64, 0xa7);
  out(0x64, 0xaa);
  expect(inp(0x60)).toBe(0x55);
  out(0x64, 0x20);
  const ccb = inp(0x60);
  out(0x64, 0x60);
  out(0x60, (ccb & 0b11101101) | 0b01100001);
  out(0x64, 0xae);
}

/**
 * Stand-in for vCPU `cpu` with IF=1: take every deliverable interrupt; the keyboard handler reads port 0x60,
 * EOIs the LAPIC only and wakes all other CPUs (as BareMetal does); other handlers just EOI the LAPIC.
 */
function runInterrupts(m: M, cpu: number, seen: number[], keys: number[]): void {
  const l = m.p.lapics[cpu];
  for (let guard = 0; guard < 100; guard++) {
    if (l.pendingVector() < 0) return;
    const v = l.acknowledge();
    seen.push(v);
    if (v === 0x21) {
      keys.push(m.inp(0x60));
      m.lapicW(cpu, 0x310, 0);
      m.lapicW(cpu, 0x300, (3 << 18) | 0x80); // all excluding self, vector 0x80
    }
    m.lapicW(cpu, 0xb0, 0);
  }
  throw new Error('interrupt storm');
}

describe('PC platform', () => {
  it('registers every device at its q35 address without overlaps', () => {
    const m = machine();
    const ports = m.io.map.list().map((r) => `${r.name}@${r.base.toString(16)}+${r.size}`);
    expect(ports).toContain('com1@3f8+8');
    expect(ports).toContain('debug-exit@f4+1');
    expect(ports).toContain('acpi-pm@600+128');
    expect(ports).toContain('reset-control@cf9+1');
    const mm = m.mmio.map.list().map((r) => `${r.name}@${r.base.toString(16)}+${r.size.toString(16)}`);
    expect(mm).toEqual(['ecam@b0000000+10000000', 'ioapic@fec00000+1000', 'hpet@fed00000+400', 'lapic@fee00000+1000']);
  });

  it('serves every register window through the buses', () => {
    const m = machine();
    expect(m.mmio.read(0xb0000000, 4)).toBe(0x29c08086);
    expect(m.mmio.read(0xb0000000 + (0x1f << 15), 4)).toBe(0x29188086);
    m.out(0xcf8, 0x8000f800, 4);
    expect(m.inp(0xcfc, 4)).toBe(0x29188086);
    expect(m.mmio.read(0xfed00004, 4)).toBe(10_000_000);
    expect(m.lapicR(1, 0x20)).toBe(1 << 24);
    m.mmio.write(0xfec00000, 4, 1);
    expect(m.mmio.read(0xfec00010, 4)).toBe(0x170011);
    m.out(0x70, 0x0a);
    expect(m.inp(0x71) & 0x7f).toBe(0x26);
  });

  it('reports debug-exit, resets (0xCF9, 8042 pulse), A20 and S5 shutdown as events', () => {
    const m = machine();
    m.out(0xf4, 0x10);
    m.out(0xcf9, 0x06);
    m.out(0x64, 0xd1);
    m.out(0x60, 0xdd);
    m.out(0x64, 0xfe);
    m.out(0x604, 0x2000, 2);
    expect(m.events).toEqual(['exit:33', 'reset:hard', 'a20:false', 'reset:kbd', 'shutdown']);
  });

  it('sends COM1 output to the back end and host input to the guest', async () => {
    const m = machine();
    for (const ch of 'ok\n') {
      while ((m.inp(0x3fd) & 0x20) === 0);
      m.out(0x3f8, ch.charCodeAt(0));
    }
    await Promise.resolve();
    expect(m.serial.text()).toBe('ok\n');
    m.serial.send('x');
    expect(m.inp(0x3fd) & 1).toBe(1);
    expect(m.inp(0x3f8)).toBe(0x78);
  });

  it('keeps the keyboard working with the 8259 unmasked and LINT0 in ExtINT mode (BareMetal set-up)', () => {
    const m = machine(2);
    baremetalInit(m);
    const seen: number[] = [];
    const keys: number[] = [];
    // The PIT's single mode-0 IRQ0 arrives through the 8259 (ExtINT) and is never EOI'd there. (The 8042's replies
    // during init also raised IRQ1: the I/O APIC's 0x21 for it is taken first; the 8259's IRQ1 ranks below IRQ0.)
    m.clock.advance(10_000_000);
    runInterrupts(m, 0, seen, keys);
    expect(seen).toEqual([0x21, 0x20]);
    expect(m.p.pic.master.isr & 1).toBe(1);
    seen.length = 0;
    keys.length = 0;
    // From now on the 8259 is blocked by its in-service IRQ0; keys come only through I/O APIC pin 1.
    const text = 'hello world\n';
    m.p.ps2.typeText(text);
    runInterrupts(m, 0, seen, keys);
    for (let i = 0; i < 200; i++) {
      m.p.ps2.sendKey('KeyA', true);
      m.p.ps2.sendKey('KeyA', false);
      runInterrupts(m, 0, seen, keys);
    }
    const expected: number[] = [];
    const bytes = [0x23, 0x12, 0x26, 0x26, 0x18, 0x39, 0x11, 0x18, 0x13, 0x26, 0x20, 0x1c];
    for (const b of bytes) expected.push(b, b | 0x80);
    for (let i = 0; i < 200; i++) expected.push(0x1e, 0x9e);
    expect(keys).toEqual(expected);
    expect(seen.filter((v) => v === 0x21).length).toBe(expected.length);
    // Every keyboard interrupt woke the AP with IPI 0x80.
    const apSeen: number[] = [];
    runInterrupts(m, 1, apSeen, []);
    expect(apSeen).toEqual([0x80]); // coalesced in IRR: one pending bit per vector
    expect(m.links[1].wakes).toBeGreaterThanOrEqual(expected.length);
  });

  it('delivers a key through the 8259 ExtINT path before the PIT has blocked it (first IRQ1 twice, not wedged)', () => {
    const m = machine(1);
    baremetalInit(m);
    const seen: number[] = [];
    const keys: number[] = [];
    m.p.ps2.sendKey('KeyB', true);
    runInterrupts(m, 0, seen, keys);
    expect(seen).toEqual([0x21, 0x21]); // I/O APIC message first, then the 8259's INTA (QEMU order)
    expect(keys).toEqual([0x30, 0x30]); // the second read sees the stale byte, as on QEMU
    m.p.ps2.sendKey('KeyB', false);
    runInterrupts(m, 0, seen, keys);
    expect(keys.at(-1)).toBe(0xb0);
  });

  it('starts APs with INIT + one SIPI and delivers the LINT1 NMI', () => {
    const m = machine(3);
    baremetalInit(m);
    m.lapicW(0, 0x310, 2 << 24);
    m.lapicW(0, 0x300, 0x4500);
    m.clock.advance(500_000);
    m.lapicW(0, 0x300, 0x4608);
    expect(m.lapicR(0, 0x300) & 0x1000).toBe(0);
    expect(m.links[2].log).toEqual(['init', 'sipi:8']);
    expect(m.links[1].log).toEqual([]);
    m.p.lapics[0].setLint(1, true);
    expect(m.links[0].log).toEqual(['nmi']);
  });

  it('routes HPET legacy replacement over the PIT on IRQ0', () => {
    const m = machine(1);
    baremetalInit(m);
    const irr = (): number => (m.out(0x20, 0x0a), m.inp(0x20));
    const drain = (): void => {
      // Take whatever the 8259 offers and EOI it there too (unlike BareMetal), so IRR starts clean.
      for (let i = 0; i < 10 && m.p.pic.hasInterrupt(); i++) {
        m.p.pic.intAck();
        m.out(0x20, 0x20);
      }
    };
    m.out(0x43, 0x34); // PIT periodic, 256 ticks (~215 us)
    m.out(0x40, 0x00);
    m.out(0x40, 0x01);
    m.clock.advance(1_000_000);
    drain();
    m.clock.advance(1_000_000);
    expect(irr() & 1).toBe(1); // the PIT drives IRQ0
    m.mmio.write(0xfed00100, 4, 4); // timer 0: interrupts on, edge
    m.mmio.write(0xfed00108, 4, 0x100);
    m.mmio.write(0xfed0010c, 4, 0);
    m.mmio.write(0xfed00010, 4, 3); // enable + legacy replacement
    drain();
    m.clock.advance(10 * 0xff);
    expect(irr() & 1).toBe(0); // the PIT no longer reaches IRQ0
    m.clock.advance(10);
    expect(irr() & 1).toBe(1); // HPET timer 0 does
    m.mmio.write(0xfed00010, 4, 1); // legacy off: the PIT is back
    drain();
    m.clock.advance(1_000_000);
    expect(irr() & 1).toBe(1);
  });

  it('builds ACPI tables consistent with its devices', () => {
    const m = machine(2);
    const t = m.p.acpiTables();
    const hpet = t.blobs.find((b) => b.name === 'HPET')!;
    const dv = new DataView(hpet.bytes.buffer);
    expect(dv.getUint32(36, true)).toBe(m.mmio.read(0xfed00000, 4));
    expect(t.rsdpAddress).toBe(0xe0000);
  });

  it('snapshots and restores the whole platform', () => {
    const a = machine(2);
    baremetalInit(a);
    a.mmio.write(0xfed00010, 4, 1);
    a.clock.advance(1_000_000);
    a.p.ps2.sendKey('KeyZ', true);
    a.out(0x3fb, 0x83);
    a.out(0x3f8, 0x01);
    a.out(0x3fb, 0x03);
    const snap = JSON.parse(JSON.stringify(a.p.saveState()));
    const b = machine(2);
    b.clock.now = a.clock.now;
    b.p.restoreState(snap);
    expect(b.mmio.read(0xfed000f0, 4)).toBe(a.mmio.read(0xfed000f0, 4));
    expect(b.lapicR(0, 0x350)).toBe(0x700);
    expect(b.p.lapics[0].pendingVector()).toBe(a.p.lapics[0].pendingVector());
    const sa: number[] = [];
    const sb: number[] = [];
    const ka: number[] = [];
    const kb: number[] = [];
    runInterrupts(a, 0, sa, ka);
    runInterrupts(b, 0, sb, kb);
    expect(sb).toEqual(sa);
    expect(kb).toEqual(ka);
    b.out(0x3fb, 0x83);
    expect(b.inp(0x3f8)).toBe(0x01);
    b.out(0x3fb, 0x03);
    const ja = JSON.stringify(a.p.saveState());
    const jb = JSON.stringify(b.p.saveState());
    expect(jb === ja).toBe(true); // (compared as a boolean to keep a failure message short)
  });
});
