// Replays the QEMU probe script (script.mjs) on our platform through the real IoBus/MmioBus and returns every
// read result by id, masked like the recorder masks them.
import { IoBus, MmioBus } from '../../../machine/memory/bus.js';
import { PcPlatform } from '../../../devices/platform/pc-platform.js';
import { FakeClock } from '../fake-clock.js';
// @ts-expect-error plain JS data module shared with the (dev-only) recorder
import { steps } from './script.mjs';

type Step = [string, number, number, number | string, number?];

export function replay(): Record<string, number> {
  const clock = new FakeClock();
  const io = new IoBus();
  const mmio = new MmioBus();
  const p = new PcPlatform({ cpus: 1, ramSize: 256 << 20, clock, hostTimeMs: () => Date.UTC(2025, 0, 1) });
  p.register(io, mmio);
  const out: Record<string, number> = {};
  for (const st of steps as Step[]) {
    const [op, size, a, b, mask] = st;
    const m = mask ?? 0xffffffff;
    // Every access takes a little virtual time, as on a real machine.
    clock.advance(100);
    if (op === 'o') io.write(a, size, b as number);
    else if (op === 'w') mmio.write(a, size, b as number);
    else if (op === 'i') out[b as string] = (io.read(a, size) & m) >>> 0;
    else if (op === 'r') out[b as string] = (mmio.read(a, size) & m) >>> 0;
    else if (op === 'flush') for (let n = 0; n < 64 && (io.read(0x64, 1) & 1) !== 0; n++) io.read(0x60, 1);
  }
  return out;
}
