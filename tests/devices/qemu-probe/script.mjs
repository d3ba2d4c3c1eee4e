// Register-probe script for the QEMU oracle (dev only to record, replayed by qemu-probe.test.ts): a fixed list of
// port/MMIO accesses whose read results QEMU q35 recorded in transcript.json. Every access is deterministic after
// the script's own set-up (no timing-dependent values are read unmasked).
// Step forms: ['o', size, port, value] | ['i', size, port, id, mask?] | ['w', size, addr, value] |
//             ['r', size, addr, id, mask?] | ['flush'] (drain the 8042 output buffer)

const s = [];
const o = (port, v, size = 1) => s.push(['o', size, port, v]);
const i = (port, id, size = 1, mask) => s.push(mask === undefined ? ['i', size, port, id] : ['i', size, port, id, mask]);
const w = (addr, v, size = 4) => s.push(['w', size, addr, v]);
const r = (addr, id, size = 4, mask) => s.push(mask === undefined ? ['r', size, addr, id] : ['r', size, addr, id, mask]);
const LAPIC = 0xfee00000;
const IOAPIC = 0xfec00000;
const HPET = 0xfed00000;
const ioapicW = (idx, v) => (w(IOAPIC, idx), w(IOAPIC + 0x10, v));
const ioapicR = (idx, id) => (w(IOAPIC, idx), r(IOAPIC + 0x10, id));
const pciR = (bdf, reg, id, size = 4) => (o(0xcf8, (0x80000000 | (bdf << 8) | (reg & 0xfc)) >>> 0, 4), i(0xcfc + (reg & 3), id, size));

// ---- 8259 pair: initialise like BareMetal, then masks and OCW3 reads ------------------------------------------
o(0x43, 0x30); o(0x40, 0xff); o(0x40, 0xff); // PIT counter 0: mode 0, long count (stop the BIOS's periodic IRQ0)
for (const [p, v] of [[0x20, 0x11], [0xa0, 0x11], [0x21, 0x20], [0xa1, 0x28], [0x21, 4], [0xa1, 2], [0x21, 1], [0xa1, 1]]) o(p, v);
o(0x21, 0xff); o(0xa1, 0xff);
i(0x21, 'pic.master.imr'); i(0xa1, 'pic.slave.imr');
o(0x21, 0xb8); o(0xa1, 0x8e);
i(0x21, 'pic.master.imr2'); i(0xa1, 'pic.slave.imr2');
o(0x20, 0x0b); i(0x20, 'pic.master.isr'); o(0xa0, 0x0b); i(0xa0, 'pic.slave.isr');
o(0x4d0, 0xff); o(0x4d1, 0xff); i(0x4d0, 'elcr.0'); i(0x4d1, 'elcr.1'); o(0x4d0, 0x00); o(0x4d1, 0x00);
o(0x21, 0xff); o(0xa1, 0xff);

// ---- 8254 PIT: read-back status bytes, latch, access modes ---------------------------------------------------
o(0x61, 0x00); // gate 2 low
o(0x43, 0xb4); // counter 2, lo/hi, mode 2
o(0x43, 0xe8); i(0x42, 'pit.ch2.status.null');
o(0x42, 0x34); o(0x42, 0x12);
o(0x43, 0xe8); i(0x42, 'pit.ch2.status.loaded');
o(0x43, 0xd8); i(0x42, 'pit.ch2.count.lo'); i(0x42, 'pit.ch2.count.hi'); // gate low: not counting
o(0x43, 0x96); // counter 2, lobyte only, mode 3
o(0x42, 0x40);
o(0x43, 0xe8); i(0x42, 'pit.ch2.status.mode3');
o(0x43, 0xa0); o(0x42, 0x22); // hibyte only, mode 0
o(0x43, 0xe8); i(0x42, 'pit.ch2.status.mode0', 1, 0x7f); // OUT (bit 7) of mode 0 depends on timing
i(0x61, 'port61', 1, 0xef); // refresh toggle masked

// ---- CMOS/RTC ---------------------------------------------------------------------------------------------------
for (const [reg, id] of [[0x0a, 'rtc.a'], [0x0b, 'rtc.b'], [0x0d, 'rtc.d'], [0x15, 'cmos.15'], [0x16, 'cmos.16'], [0x17, 'cmos.17'], [0x18, 'cmos.18'], [0x30, 'cmos.30'], [0x31, 'cmos.31'], [0x34, 'cmos.34'], [0x35, 'cmos.35'], [0x5b, 'cmos.5b'], [0x5c, 'cmos.5c'], [0x5d, 'cmos.5d']]) {
  o(0x70, reg);
  i(0x71, id, 1, reg === 0x0a ? 0x7f : 0xff);
}
o(0x70, 0x0b); o(0x71, 0x06); o(0x70, 0x0b); i(0x71, 'rtc.b.binary'); o(0x70, 0x0b); o(0x71, 0x02);
o(0x70, 0x0c); i(0x71, 'rtc.c'); i(0x71, 'rtc.c.again');
o(0x70, 0x40); o(0x71, 0x5a); o(0x70, 0x40); i(0x71, 'cmos.40');
o(0x70, 0x8d); i(0x71, 'rtc.d.nmimasked'); o(0x70, 0x0d);

// ---- PS/2 controller and keyboard -------------------------------------------------------------------------------
s.push(['flush']);
o(0x64, 0xad); o(0x64, 0xa7); s.push(['flush']);
o(0x64, 0xaa); i(0x64, 'ps2.status.afterAA', 1, 0xf7); i(0x60, 'ps2.selftest');
o(0x64, 0x60); o(0x60, 0x45); o(0x64, 0x20); i(0x60, 'ps2.ccb.45');
i(0x64, 'ps2.status.idle');
o(0x64, 0xab); i(0x60, 'ps2.kbdtest');
o(0x64, 0xa9); i(0x60, 'ps2.auxtest');
o(0x64, 0xd0); i(0x60, 'ps2.outport');
o(0x64, 0xc0); i(0x60, 'ps2.inport');
o(0x64, 0xd2); o(0x60, 0x5c); i(0x64, 'ps2.status.d2', 1, 0xf7); i(0x60, 'ps2.d2echo');
o(0x64, 0x60); o(0x60, 0x64); // translation on, IRQs off, SYS
o(0x64, 0xae);
o(0x60, 0xee); i(0x60, 'kbd.echo');
o(0x60, 0xf2); i(0x60, 'kbd.id.ack'); i(0x60, 'kbd.id.0'); i(0x60, 'kbd.id.1');
o(0x60, 0xf0); i(0x60, 'kbd.set.ack'); o(0x60, 0x00); i(0x60, 'kbd.set.ack2'); i(0x60, 'kbd.set.get');
o(0x60, 0xed); i(0x60, 'kbd.led.ack'); o(0x60, 0x02); i(0x60, 'kbd.led.ack2');
o(0x60, 0xff); i(0x60, 'kbd.reset.ack'); i(0x60, 'kbd.reset.bat');
o(0x64, 0x60); o(0x60, 0x24); // translation off
o(0x60, 0xf2); i(0x60, 'kbd.id.ack.raw'); i(0x60, 'kbd.id.0.raw'); i(0x60, 'kbd.id.1.raw');
o(0x60, 0xf0); i(0x60, 'kbd.set.ackraw'); o(0x60, 0x00); i(0x60, 'kbd.set.ack2raw'); i(0x60, 'kbd.set.getraw');
o(0x64, 0x60); o(0x60, 0x65);
// Controller reply raises IRQ1 at the 8259 when CCB bit 0 is set.
o(0x20, 0x0a); i(0x20, 'pic.master.irr.before', 1, 0x02);
o(0x64, 0xab); o(0x20, 0x0a); i(0x20, 'pic.master.irr.kbd', 1, 0x02); i(0x60, 'ps2.kbdtest2');
s.push(['flush']);

// ---- 16550A UART (COM1) ---------------------------------------------------------------------------------------
o(0x3f9, 0x00); o(0x3fa, 0x00); o(0x3fc, 0x00);
o(0x3fb, 0x83); o(0x3f8, 0x01); o(0x3f9, 0x00); i(0x3f8, 'uart.dll'); i(0x3f9, 'uart.dlm'); i(0x3fb, 'uart.lcr.dlab');
o(0x3fb, 0x03); i(0x3fb, 'uart.lcr');
i(0x3fa, 'uart.iir.nofifo'); i(0x3fd, 'uart.lsr.idle');
o(0x3fa, 0x07); i(0x3fa, 'uart.iir.fifo');
o(0x3fa, 0xc7); i(0x3fa, 'uart.iir.fifo14');
o(0x3ff, 0xa5); i(0x3ff, 'uart.scr');
o(0x3fc, 0x10); i(0x3fe, 'uart.msr.loop0'); i(0x3fe, 'uart.msr.loop0.again');
o(0x3fc, 0x1f); i(0x3fe, 'uart.msr.loop1f'); i(0x3fe, 'uart.msr.loop1f.again');
o(0x3fc, 0x1b); i(0x3fe, 'uart.msr.teri');
o(0x3fc, 0x10); i(0x3fe, 'uart.msr.down');
o(0x3fa, 0x01); // FIFO on, trigger 1
o(0x3f8, 0x41); o(0x3f8, 0x42); i(0x3fd, 'uart.lsr.rx2', 1, 0xff);
i(0x3f8, 'uart.rx.0'); i(0x3f8, 'uart.rx.1'); i(0x3fd, 'uart.lsr.empty');
o(0x3fa, 0x00); // FIFO off: overrun on the second byte
o(0x3f8, 0x43); o(0x3f8, 0x44); i(0x3fd, 'uart.lsr.overrun'); i(0x3fd, 'uart.lsr.afteroverrun'); i(0x3f8, 'uart.rx.over');
// IIR priorities with IER = all, in loopback.
i(0x3fe, 'uart.msr.clear');
o(0x3f9, 0x0f); i(0x3fa, 'uart.iir.thre'); i(0x3fa, 'uart.iir.thre.after');
o(0x3f8, 0x45); o(0x3f8, 0x46);
i(0x3fa, 'uart.iir.rls'); i(0x3fd, 'uart.lsr.rls'); i(0x3fa, 'uart.iir.rda'); i(0x3f8, 'uart.rx.rda'); i(0x3fa, 'uart.iir.next');
i(0x3fa, 'uart.iir.next2');
// OUT2 gating: IER THRE with MCR OUT2 off, look at the 8259 IRR bit 4.
o(0x3fc, 0x00); o(0x3f9, 0x00); i(0x3fe, 'uart.msr.clear2');
o(0x20, 0x0a); i(0x20, 'pic.irr.com.before', 1, 0x10);
o(0x3f9, 0x02); o(0x20, 0x0a); i(0x20, 'pic.irr.com.out2off', 1, 0x10);
o(0x3f9, 0x00); o(0x3fc, 0x08); o(0x3f9, 0x02); o(0x20, 0x0a); i(0x20, 'pic.irr.com.out2on', 1, 0x10);
o(0x3f9, 0x00); o(0x3fc, 0x00); o(0x3fa, 0x00);

// ---- Local APIC -----------------------------------------------------------------------------------------------
r(LAPIC + 0x30, 'lapic.version');
r(LAPIC + 0x20, 'lapic.id');
w(LAPIC + 0xf0, 0x1ff); r(LAPIC + 0xf0, 'lapic.svr');
w(LAPIC + 0xf0, 0xffffffff); r(LAPIC + 0xf0, 'lapic.svr.ones'); w(LAPIC + 0xf0, 0x1ff);
w(LAPIC + 0xd0, 0xffffffff); r(LAPIC + 0xd0, 'lapic.ldr'); w(LAPIC + 0xd0, 0x01000000);
w(LAPIC + 0xe0, 0x00000000); r(LAPIC + 0xe0, 'lapic.dfr.cluster'); w(LAPIC + 0xe0, 0xffffffff); r(LAPIC + 0xe0, 'lapic.dfr.flat');
w(LAPIC + 0x80, 0x1ff); r(LAPIC + 0x80, 'lapic.tpr'); r(LAPIC + 0xa0, 'lapic.ppr.tpr'); w(LAPIC + 0x80, 0);
w(LAPIC + 0x3e0, 0xffffffff); r(LAPIC + 0x3e0, 'lapic.dcr'); w(LAPIC + 0x3e0, 0);
for (const [off, id] of [[0x320, 'timer'], [0x330, 'thermal'], [0x340, 'perf'], [0x350, 'lint0'], [0x360, 'lint1'], [0x370, 'error']]) {
  w(LAPIC + off, 0xffffffff); r(LAPIC + off, `lapic.lvt.${id}.ones`);
  w(LAPIC + off, 0x10000);
}
w(LAPIC + 0x350, 0x700); w(LAPIC + 0x360, 0x400);
w(LAPIC + 0x310, 0xffffffff); r(LAPIC + 0x310, 'lapic.icrhi');
w(LAPIC + 0x310, 0);
w(LAPIC + 0x280, 0); w(LAPIC + 0x280, 0); r(LAPIC + 0x280, 'lapic.esr.clean');
w(LAPIC + 0x300, 0x00044005); // self IPI, fixed, vector 5: send illegal vector
w(LAPIC + 0x280, 0); r(LAPIC + 0x280, 'lapic.esr.illegal');
w(LAPIC + 0x280, 0); r(LAPIC + 0x280, 'lapic.esr.cleared');
r(LAPIC + 0x300, 'lapic.icrlo');
w(LAPIC + 0x300, 0x00044040); // self IPI vector 0x40 (IF=0: stays in IRR)
r(LAPIC + 0x200 + 0x20, 'lapic.irr.40');
r(LAPIC + 0x300, 'lapic.icrlo.fixed');
w(LAPIC + 0x80, 0x40); r(LAPIC + 0xa0, 'lapic.ppr.40'); w(LAPIC + 0x80, 0);
w(LAPIC + 0x3e0, 0x0b); w(LAPIC + 0x380, 0x12345678); r(LAPIC + 0x380, 'lapic.timer.initial'); w(LAPIC + 0x380, 0);
r(LAPIC + 0x390, 'lapic.timer.current.stopped');

// ---- I/O APIC -------------------------------------------------------------------------------------------------
ioapicR(1, 'ioapic.version');
ioapicR(0, 'ioapic.id');
ioapicW(0x10 + 2 * 20, 0xffffffff); ioapicR(0x10 + 2 * 20, 'ioapic.rte20.lo');
ioapicW(0x11 + 2 * 20, 0xffffffff); ioapicR(0x11 + 2 * 20, 'ioapic.rte20.hi');
ioapicW(0x10 + 2 * 20, 0x10000); ioapicW(0x11 + 2 * 20, 0);
r(IOAPIC, 'ioapic.regsel');
// Masked edge on pin 1 (8042 reply), then unmask: is it delivered? (QEMU keeps it pending.)
o(0x64, 0x60); o(0x60, 0x65); s.push(['flush']);
ioapicW(0x12, 0x10031); ioapicW(0x13, 0);
o(0x64, 0xab);
r(LAPIC + 0x200 + 0x10, 'lapic.irr.31.masked');
ioapicW(0x12, 0x00031);
r(LAPIC + 0x200 + 0x10, 'lapic.irr.31.unmasked');
s.push(['flush']);
ioapicW(0x12, 0x10000);

// ---- HPET -----------------------------------------------------------------------------------------------------
r(HPET + 0x0, 'hpet.cap.lo'); r(HPET + 0x4, 'hpet.cap.hi');
w(HPET + 0x10, 0); r(HPET + 0x10, 'hpet.conf');
w(HPET + 0xf0, 0x1234); w(HPET + 0xf4, 0x5); r(HPET + 0xf0, 'hpet.counter.lo.halted'); r(HPET + 0xf4, 'hpet.counter.hi.halted');
for (let t = 0; t < 3; t++) {
  const b = HPET + 0x100 + 0x20 * t;
  r(b, `hpet.t${t}.conf`); r(b + 4, `hpet.t${t}.cap`); r(b + 8, `hpet.t${t}.cmp.lo`); r(b + 12, `hpet.t${t}.cmp.hi`);
  w(b, 0xffffffff); r(b, `hpet.t${t}.conf.ones`); w(b, 0);
}
w(HPET + 0x100, 0x100); w(HPET + 0x10c, 0x77); r(HPET + 0x10c, 'hpet.t0.cmp.hi.32bit'); w(HPET + 0x100, 0);
r(HPET + 0x20, 'hpet.isr');

// ---- PCI ----------------------------------------------------------------------------------------------------------
for (const [bdf, name] of [[0x0000, 'mch'], [0x00f8, 'lpc']]) {
  for (const reg of [0x00, 0x08, 0x0c, 0x10, 0x14, 0x2c, 0x34, 0x3c]) pciR(bdf, reg, `pci.${name}.${reg.toString(16)}`);
  pciR(bdf, 0x02, `pci.${name}.device.w`, 2);
  pciR(bdf, 0x0b, `pci.${name}.class.b`, 1);
}
pciR(0x0000, 0x60, 'pci.mch.pciexbar', 4);
pciR(0x00f8, 0x40, 'pci.lpc.pmbase', 4);
pciR(0x0018, 0x00, 'pci.absent', 4);
o(0xcf8, 0, 4); i(0xcfc, 'pci.disabled', 4);
o(0xcf8, 0x8000f804, 4); o(0xcf8, 0x00, 1); i(0xcf8, 'pci.cf8.afterbyte', 4);
r(0xb0000000, 'ecam.mch.0');
r(0xb0000000 + (0x1f << 15) + 8, 'ecam.lpc.8');
r(0xb0000000 + (3 << 15), 'ecam.absent');

// ---- ACPI PM ------------------------------------------------------------------------------------------------------
i(0x604, 'pm.cnt', 2, 0xfffe); // SCI_EN is SeaBIOS's business
i(0x602, 'pm.en', 2);
o(0x602, 0xffff, 2); i(0x602, 'pm.en.ones', 2); o(0x602, 0, 2);
o(0x628, 0xff); i(0x628, 'pm.gpe0en0'); o(0x628, 0);

export const steps = s;
