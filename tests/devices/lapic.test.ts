// Local APIC and APIC bus tests against the SDM Vol. 3 ch. 10 register definitions (reset values, PPR rule,
// IPI destinations, timer arithmetic) with a fake clock.
import { describe, expect, it } from 'vitest';
import { ApicBus } from '../../devices/apic/apic-bus.js';
import { LocalApic, LAPIC_VERSION, timerDivisor } from '../../devices/apic/lapic.js';
import type { VcpuLink } from '../../devices/apic/vcpu-link.js';
import { DualPic } from '../../devices/pic/dual-pic.js';
import { FakeClock } from './fake-clock.js';

class RecLink implements VcpuLink {
  log: string[] = [];
  wakes = 0;
  wake(): void {
    this.wakes++;
  }
  init(): void {
    this.log.push('init');
  }
  startup(v: number): void {
    this.log.push(`sipi:${v.toString(16)}`);
  }
  nmi(): void {
    this.log.push('nmi');
  }
}

function system(n: number, clock = new FakeClock()) {
  const bus = new ApicBus();
  const links: RecLink[] = [];
  const lapics: LocalApic[] = [];
  for (let i = 0; i < n; i++) {
    const link = new RecLink();
    links.push(link);
    lapics.push(bus.attach(new LocalApic({ id: i, bsp: i === 0, clock, link })));
  }
  return { bus, links, lapics, clock };
}

const enable = (l: LocalApic): void => l.write(0xf0, 4, 0x1ff);

describe('LAPIC registers', () => {
  it('has the documented power-on values', () => {
    const { lapics } = system(2);
    const [bsp, ap] = lapics;
    expect(bsp.read(0x20, 4)).toBe(0);
    expect(ap.read(0x20, 4)).toBe(1 << 24);
    expect(bsp.read(0x30, 4)).toBe(LAPIC_VERSION);
    expect(LAPIC_VERSION & 0xff).toBe(0x14);
    expect((LAPIC_VERSION >> 16) & 0xff).toBe(5); // six LVT entries
    expect(bsp.read(0xe0, 4)).toBe(0xffffffff); // DFR: flat model
    expect(bsp.read(0xf0, 4)).toBe(0xff); // SVR: vector 0xFF, software disabled
    for (const r of [0x320, 0x330, 0x340, 0x370]) expect(bsp.read(r, 4)).toBe(0x10000);
    expect(bsp.read(0x350, 4)).toBe(0x700); // BSP LINT0 = ExtINT, unmasked (as QEMU resets it)
    expect(ap.read(0x350, 4)).toBe(0x10000);
    expect(bsp.read(0x360, 4)).toBe(0x10000);
  });

  it('keeps only the architected writable bits', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    l.write(0xd0, 4, 0xffffffff);
    expect(l.read(0xd0, 4)).toBe(0xff000000);
    l.write(0xe0, 4, 0);
    expect(l.read(0xe0, 4)).toBe(0x0fffffff); // cluster model, reserved bits read 1
    l.write(0x80, 4, 0x1234);
    expect(l.read(0x80, 4)).toBe(0x34);
    l.write(0x3e0, 4, 0xffffffff);
    expect(l.read(0x3e0, 4)).toBe(0xb);
    l.write(0x310, 4, 0xffffffff);
    expect(l.read(0x310, 4)).toBe(0xff000000);
  });

  it('forces LVT masks while software-disabled and not after enabling', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    l.write(0x320, 4, 0x20030);
    expect(l.read(0x320, 4)).toBe(0x30030); // mask forced on
    enable(l);
    l.write(0x320, 4, 0x20030);
    expect(l.read(0x320, 4)).toBe(0x20030);
    l.write(0xf0, 4, 0x0ff); // disable again: every LVT gets masked
    expect(l.read(0x320, 4) & 0x10000).toBe(0x10000);
  });

  it('answers byte reads within a register', () => {
    const { lapics } = system(2);
    expect(lapics[1].read(0x23, 1)).toBe(1);
    expect(lapics[1].read(0x30, 2)).toBe(0x0014);
  });

  it('latches errors into ESR on the next ESR write', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    enable(l);
    l.write(0x300, 4, 0x00040005); // fixed IPI to self with vector 5: send illegal vector
    expect(l.read(0x280, 4)).toBe(0);
    l.write(0x280, 4, 0);
    expect(l.read(0x280, 4)).toBe(0x20);
    l.write(0x280, 4, 0);
    expect(l.read(0x280, 4)).toBe(0);
    l.read(0x400, 4); // illegal register
    l.write(0x280, 4, 0);
    expect(l.read(0x280, 4)).toBe(0x80);
  });
});

describe('interrupt acceptance', () => {
  it('delivers the highest IRR vector above the PPR class, IRR -> ISR, EOI clears the highest ISR', () => {
    const { lapics, links } = system(1);
    const l = lapics[0];
    enable(l);
    l.acceptFixed(0x31, false);
    l.acceptFixed(0x52, false);
    l.acceptFixed(0x45, false);
    expect(links[0].wakes).toBe(3);
    expect(l.pendingVector()).toBe(0x52);
    expect(l.acknowledge()).toBe(0x52);
    expect(l.read(0x100 + 0x10 * (0x52 >> 5), 4)).toBe(1 << (0x52 & 31)); // ISR
    expect(l.read(0xa0, 4)).toBe(0x50); // PPR = ISRV class
    // 0x45 is in a lower class than the in-service 0x52: blocked until EOI.
    expect(l.pendingVector()).toBe(-1);
    l.write(0xb0, 4, 0);
    expect(l.read(0xa0, 4)).toBe(0);
    expect(l.pendingVector()).toBe(0x45);
    expect(l.acknowledge()).toBe(0x45);
    expect(l.pendingVector()).toBe(-1); // 0x31 < class of 0x45
    l.write(0xb0, 4, 0);
    expect(l.acknowledge()).toBe(0x31);
  });

  it('uses TPR in the PPR rule and masks same-class vectors', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    enable(l);
    l.write(0x80, 4, 0x40);
    l.acceptFixed(0x4f, false);
    expect(l.pendingVector()).toBe(-1); // class 4 not above TPR class 4
    l.acceptFixed(0x50, false);
    expect(l.pendingVector()).toBe(0x50);
    l.write(0x80, 4, 0x3f);
    expect(l.read(0xa0, 4)).toBe(0x3f); // PPR = TPR when TPR class >= ISR class
    l.acknowledge(); // 0x50 in service
    expect(l.read(0xa0, 4)).toBe(0x50);
  });

  it('holds interrupts while software-disabled', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    l.acceptFixed(0x40, false);
    expect(l.pendingVector()).toBe(-1);
    enable(l);
    expect(l.pendingVector()).toBe(0x40);
  });

  it('returns the spurious vector when acknowledging with nothing pending', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    l.write(0xf0, 4, 0x1ef);
    expect(l.acknowledge()).toBe(0xef);
  });

  it('rejects received vectors below 16', () => {
    const { lapics } = system(1);
    const l = lapics[0];
    enable(l);
    l.acceptFixed(3, false);
    expect(l.pendingVector()).toBe(-1);
    l.write(0x280, 4, 0);
    expect(l.read(0x280, 4)).toBe(0x40);
  });

  it('takes the ExtINT vector from the 8259 through LINT0 and respects the LINT0 mask', () => {
    const { lapics, links, bus } = system(1);
    const l = lapics[0];
    const pic = new DualPic({ set: (lv) => bus.picOutput(lv), pulse() {} });
    l.extInt = pic;
    for (const [p, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1]] as const) {
      (p < 0xa0 ? pic.masterPorts : pic.slavePorts).write(p & 1, 1, v);
    }
    pic.masterPorts.write(1, 1, 0);
    pic.slavePorts.write(1, 1, 0);
    const w = links[0].wakes;
    pic.irq(1).set(true);
    expect(links[0].wakes).toBeGreaterThan(w);
    expect(l.pendingVector()).toBe(0x21); // software-disabled APIC still passes ExtINT (BSP LINT0 = 0x700)
    expect(l.acknowledge()).toBe(0x21);
    expect(pic.master.isr).toBe(2);
    // Masking LINT0 stops the ExtINT path.
    enable(l);
    l.write(0x350, 4, 0x10700);
    pic.irq(0).set(true); // IRQ0 outranks the in-service IRQ1, so the 8259 asserts INTR again
    expect(pic.hasInterrupt()).toBe(true);
    expect(l.pendingVector()).toBe(-1);
    l.write(0x350, 4, 0x700);
    expect(l.pendingVector()).toBe(0x20);
    // An APIC-sourced vector above the PPR is offered before the 8259 (QEMU's order).
    l.acceptFixed(0x80, false);
    expect(l.acknowledge()).toBe(0x80);
    expect(l.acknowledge()).toBe(0x20);
  });

  it('passes the 8259 straight through and ignores APIC messages while globally disabled (IA32_APIC_BASE bit 11)', () => {
    const { lapics, links, bus } = system(2);
    const [l, other] = lapics;
    const pic = new DualPic({ set: (lv) => bus.picOutput(lv), pulse() {} });
    l.extInt = pic;
    pic.masterPorts.write(0, 1, 0x13); // single 8259, ICW4
    pic.masterPorts.write(1, 1, 0x08);
    pic.masterPorts.write(1, 1, 0x01);
    pic.masterPorts.write(1, 1, 0x00);
    enable(other);
    l.setGlobalEnable(false);
    expect(l.read(0x350, 4)).toBe(0x10000); // disabling reset the APIC
    pic.irq(0).set(true);
    expect(l.pendingVector()).toBe(0x08); // LINT0 masked, but the pin goes straight to INTR
    other.write(0x310, 4, 0);
    other.write(0x300, 4, 0x4090);
    expect(l.acknowledge()).toBe(0x08); // the fixed IPI to APIC 0 was not accepted
    l.setLint(1, true);
    expect(links[0].log).toEqual(['nmi']); // LINT1 is the NMI pin
    l.setGlobalEnable(true);
    enable(l);
    other.write(0x300, 4, 0x4090);
    expect(l.pendingVector()).toBe(0x90);
  });

  it('raises NMI for LINT1 in NMI mode on a rising edge', () => {
    const { lapics, links } = system(1);
    const l = lapics[0];
    enable(l);
    l.write(0x360, 4, 0x400);
    l.setLint(1, true);
    l.setLint(1, true);
    l.setLint(1, false);
    l.setLint(1, true);
    expect(links[0].log).toEqual(['nmi', 'nmi']);
  });
});

describe('IPIs through the APIC bus', () => {
  it('delivers fixed IPIs by physical ID and reads back an idle delivery status', () => {
    const { lapics } = system(3);
    lapics.forEach(enable);
    lapics[0].write(0x310, 4, 2 << 24);
    lapics[0].write(0x300, 4, 0x4080);
    expect(lapics[0].read(0x300, 4)).toBe(0x4080); // bit 12 (send pending) reads 0
    expect(lapics[2].pendingVector()).toBe(0x80);
    expect(lapics[1].pendingVector()).toBe(-1);
    expect(lapics[0].pendingVector()).toBe(-1);
    lapics[0].write(0x310, 4, 0xff << 24); // physical broadcast
    lapics[0].write(0x300, 4, 0x0090);
    for (const l of lapics) expect(l.pendingVector()).toBe(0x90);
  });

  it('implements the shorthands self, all-including-self and all-excluding-self', () => {
    const { lapics } = system(3);
    lapics.forEach(enable);
    lapics[1].write(0x300, 4, (1 << 18) | 0x41);
    expect(lapics.map((l) => l.pendingVector())).toEqual([-1, 0x41, -1]);
    lapics[1].write(0x300, 4, (3 << 18) | 0x81);
    expect(lapics.map((l) => l.pendingVector())).toEqual([0x81, 0x41, 0x81]);
    lapics[1].write(0x300, 4, (2 << 18) | 0x91);
    expect(lapics.map((l) => l.pendingVector())).toEqual([0x91, 0x91, 0x91]);
  });

  it('matches logical destinations in the flat and cluster models', () => {
    const { lapics } = system(4);
    lapics.forEach(enable);
    lapics.forEach((l, i) => l.write(0xd0, 4, (1 << i) << 24));
    lapics[0].write(0x310, 4, 0x0a << 24); // CPUs 1 and 3
    lapics[0].write(0x300, 4, 0x0800 | 0x60);
    expect(lapics.map((l) => l.pendingVector())).toEqual([-1, 0x60, -1, 0x60]);
    // Cluster model: LDR high nibble = cluster, low nibble = member bit.
    lapics.forEach((l, i) => {
      l.write(0xe0, 4, 0x0fffffff);
      l.write(0xd0, 4, (((i >> 1) << 4) | (1 << (i & 1))) << 24);
    });
    lapics[0].write(0x310, 4, 0x12 << 24); // cluster 1, member bit 1 -> CPU 3
    lapics[0].write(0x300, 4, 0x0800 | 0x70);
    expect(lapics.map((l) => l.pendingVector())).toEqual([-1, 0x60, -1, 0x70]);
    expect(lapics[1].read(0x200 + 0x10 * (0x70 >> 5), 4) & (1 << 16)).toBe(0); // CPU 1 got nothing new
    expect(lapics[3].read(0x200 + 0x10 * (0x70 >> 5), 4) & (1 << 16)).not.toBe(0);
  });

  it('sends lowest-priority to the lowest matching APIC ID', () => {
    const { lapics } = system(3);
    lapics.forEach(enable);
    lapics[0].write(0x310, 4, 0xff << 24);
    lapics[0].write(0x300, 4, 0x0100 | 0xa0);
    expect(lapics.map((l) => l.pendingVector())).toEqual([0xa0, -1, -1]);
  });

  it('runs INIT then SIPI on the target; INIT resets the target LAPIC but keeps its ID', () => {
    const { lapics, links } = system(2);
    lapics.forEach(enable);
    lapics[1].write(0x80, 4, 0x20);
    lapics[1].write(0xd0, 4, 0x02000000);
    lapics[0].write(0x310, 4, 1 << 24);
    lapics[0].write(0x300, 4, 0x4500); // INIT, level assert
    lapics[0].write(0x300, 4, 0x8500); // INIT level de-assert: ignored
    lapics[0].write(0x300, 4, 0x4608); // SIPI vector 8
    expect(links[1].log).toEqual(['init', 'sipi:8']);
    expect(links[0].log).toEqual([]);
    expect(lapics[1].read(0x20, 4)).toBe(1 << 24);
    expect(lapics[1].read(0x80, 4)).toBe(0);
    expect(lapics[1].read(0xd0, 4)).toBe(0);
    expect(lapics[1].read(0xf0, 4)).toBe(0xff);
  });

  it('routes NMI IPIs and MSI messages', () => {
    const { bus, lapics, links } = system(2);
    lapics.forEach(enable);
    lapics[0].write(0x310, 4, 1 << 24);
    lapics[0].write(0x300, 4, 0x0400);
    expect(links[1].log).toEqual(['nmi']);
    bus.msi(0xfee01000, 0x00ab); // dest 1, fixed, vector 0xAB
    expect(lapics[1].pendingVector()).toBe(0xab);
    bus.msi(0xfed01000, 0x00ac); // not the MSI window: ignored
    expect(lapics[0].pendingVector()).toBe(-1);
  });

  it('gives each vCPU its own LAPIC view through the shared MMIO window', () => {
    const { bus } = system(2);
    bus.current = 1;
    expect(bus.mmio.read(0x20, 4)).toBe(1 << 24);
    bus.current = 0;
    expect(bus.mmio.read(0x20, 4)).toBe(0);
  });
});

describe('LAPIC timer', () => {
  it('decodes the divide configuration register', () => {
    expect([0, 1, 2, 3, 8, 9, 10, 11].map(timerDivisor)).toEqual([2, 4, 8, 16, 32, 64, 128, 1]);
  });

  it('counts down in one-shot mode and interrupts once at expiry', () => {
    const { lapics, clock } = system(1);
    const l = lapics[0];
    enable(l);
    l.write(0x3e0, 4, 0x3); // divide by 16
    l.write(0x320, 4, 0x40);
    l.write(0x380, 4, 1000);
    expect(l.read(0x390, 4)).toBe(1000);
    clock.advance(16 * 250);
    expect(l.read(0x390, 4)).toBe(750);
    expect(l.pendingVector()).toBe(-1);
    clock.advance(16 * 750);
    expect(l.read(0x390, 4)).toBe(0);
    expect(l.acknowledge()).toBe(0x40);
    l.write(0xb0, 4, 0);
    clock.advance(1e6);
    expect(l.pendingVector()).toBe(-1);
    expect(l.read(0x380, 4)).toBe(1000);
  });

  it('reloads in periodic mode and keeps the count across a divider change', () => {
    const { lapics, clock } = system(1);
    const l = lapics[0];
    enable(l);
    l.write(0x3e0, 4, 0xb); // divide by 1
    l.write(0x320, 4, 0x20000 | 0x41);
    l.write(0x380, 4, 100);
    let fired = 0;
    for (let i = 0; i < 5; i++) {
      clock.advance(100);
      if (l.pendingVector() === 0x41) {
        fired++;
        l.acknowledge();
        l.write(0xb0, 4, 0);
      }
    }
    expect(fired).toBe(5);
    clock.advance(30);
    expect(l.read(0x390, 4)).toBe(70);
    l.write(0x3e0, 4, 0x0); // divide by 2: still 70 left, now 2 ns each
    expect(l.read(0x390, 4)).toBe(70);
    clock.advance(139);
    expect(l.pendingVector()).toBe(-1);
    clock.advance(1);
    expect(l.pendingVector()).toBe(0x41);
  });

  it('counts but does not interrupt while the timer LVT is masked', () => {
    const { lapics, clock } = system(1);
    const l = lapics[0];
    enable(l);
    l.write(0x3e0, 4, 0xb);
    l.write(0x320, 4, 0x10000 | 0x42);
    l.write(0x380, 4, 10);
    clock.advance(20);
    expect(l.read(0x390, 4)).toBe(0);
    expect(l.pendingVector()).toBe(-1);
  });

  it('round-trips its state through saveState/restoreState', () => {
    const clock = new FakeClock();
    const a = system(1, clock).lapics[0];
    enable(a);
    a.write(0x3e0, 4, 0xb);
    a.write(0x320, 4, 0x43);
    a.write(0x380, 4, 500);
    a.acceptFixed(0x99, true);
    clock.advance(100);
    const snap = JSON.parse(JSON.stringify(a.saveState()));
    const b = system(1, clock).lapics[0];
    b.restoreState(snap);
    expect(b.read(0x390, 4)).toBe(400);
    expect(b.pendingVector()).toBe(0x99);
    expect(b.read(0x180 + 0x10 * (0x99 >> 5), 4)).toBe(1 << (0x99 & 31)); // TMR
    expect(b.acknowledge()).toBe(0x99);
    b.write(0xb0, 4, 0);
    clock.advance(400);
    expect(b.pendingVector()).toBe(0x43);
  });
});
