// Intel 8042 PS/2 keyboard controller as on PCs (ports 0x60 data, 0x64 status/command): status register, command
// byte and internal RAM, self/interface tests, port enables, output port (A20 gate, CPU reset), pulse reset,
// keyboard (IRQ1) and a minimal auxiliary device (IRQ12), plus the host key injection API.
import type { IrqLine, PortHandler, Stateful } from '../device.js';
import { Ps2Keyboard, type Ps2KeyboardState } from './keyboard.js';
import { keysForText } from './scancodes.js';

export const enum Status {
  OBF = 0x01,
  IBF = 0x02,
  SYS = 0x04,
  CMD = 0x08,
  UNLOCKED = 0x10,
  AUX_OBF = 0x20,
  TIMEOUT = 0x40,
  PARITY = 0x80,
}

export const enum Ccb {
  KBD_INT = 0x01,
  AUX_INT = 0x02,
  SYS = 0x04,
  KBD_DISABLE = 0x10,
  AUX_DISABLE = 0x20,
  XLATE = 0x40,
}

const enum Src {
  Kbd = 0,
  Aux = 1,
}

export interface I8042State {
  ram: number[];
  status: number;
  outport: number;
  /** Controller command awaiting a data byte on port 0x60 (0 = none). */
  pendingCmd: number;
  /** Controller replies waiting for the output buffer, as [byte, source] pairs. */
  ctrlQueue: number[];
  auxQueue: number[];
  auxPendingCmd: number;
  outByte: number;
  outSrc: number;
  kbd: Ps2KeyboardState;
}

export interface I8042Options {
  irq1: IrqLine;
  irq12?: IrqLine;
  /** Pulse of the CPU reset line (command 0xFE, or 0xD1 with bit 0 clear). */
  onReset?: () => void;
  /** A20 gate changes (output port bit 1, commands 0xDD/0xDF). */
  onA20?: (enabled: boolean) => void;
  /** Keyboard LED changes (bit 0 Scroll Lock, 1 Num Lock, 2 Caps Lock). */
  onLeds?: (leds: number) => void;
  /** Command byte at power-on. Default 0x65 (what a PC BIOS leaves: IRQ1 on, SYS, aux disabled, translation). */
  initialCcb?: number;
}

export class I8042 implements PortHandler, Stateful<I8042State> {
  readonly name = 'i8042';
  readonly keyboard: Ps2Keyboard;
  private readonly ram = new Uint8Array(32);
  private status = 0;
  private outport = 0;
  private pendingCmd = 0;
  private ctrlQueue: number[] = [];
  private auxQueue: number[] = [];
  private auxPendingCmd = 0;
  private outByte = 0;
  private outSrc = Src.Kbd;
  private irq1Level = false;
  private irq12Level = false;

  /** Port 0x60 (register it alone: 0x61 belongs to port B). */
  readonly dataPort: PortHandler = {
    read: () => this.read(0, 1),
    write: (_o, _s, v) => this.write(0, 1, v),
  };
  /** Port 0x64. */
  readonly commandPort: PortHandler = {
    read: () => this.read(4, 1),
    write: (_o, _s, v) => this.write(4, 1, v),
  };

  constructor(private readonly opts: I8042Options) {
    this.keyboard = new Ps2Keyboard(() => (this.ram[0] & Ccb.XLATE) !== 0);
    this.keyboard.onLeds = (l) => this.opts.onLeds?.(l);
    this.reset();
  }

  reset(): void {
    this.ram.fill(0);
    this.ram[0] = this.opts.initialCcb ?? 0x65;
    this.status = Status.UNLOCKED | ((this.ram[0] & Ccb.SYS) !== 0 ? Status.SYS : 0);
    this.outport = 0xcf; // keyboard data/clock high, A20 on, CPU reset line inactive
    this.pendingCmd = 0;
    this.ctrlQueue = [];
    this.auxQueue = [];
    this.auxPendingCmd = 0;
    this.outByte = 0;
    this.outSrc = Src.Kbd;
    this.keyboard.reset();
    this.updateIrq();
  }

  get commandByte(): number {
    return this.ram[0];
  }

  get a20(): boolean {
    return (this.outport & 2) !== 0;
  }

  // ---- host API -----------------------------------------------------------------------------------------------

  /** A host key press/release by KeyboardEvent.code name ("KeyA", "Enter", "ArrowUp" ...). False if unknown. */
  sendKey(code: string, down: boolean): boolean {
    const ok = this.keyboard.key(code, down);
    this.fill();
    return ok;
  }

  /** Type text on a US layout (press + release per character, Shift as needed). */
  typeText(text: string): void {
    for (const k of keysForText(text)) this.keyboard.key(k.code, k.down);
    this.fill();
  }

  /** Bytes placed in the keyboard's output stream exactly as the guest will read them (no translation). */
  sendScancodes(bytes: ArrayLike<number>): void {
    this.keyboard.raw(bytes);
    this.fill();
  }

  // ---- output buffer ------------------------------------------------------------------------------------------

  /** Move the next byte into the output buffer if it is empty: controller replies first, then keyboard, then aux. */
  private fill(): void {
    if ((this.status & Status.OBF) === 0) {
      let b = -1;
      let src = Src.Kbd;
      if (this.ctrlQueue.length > 0) {
        b = this.ctrlQueue.shift() as number;
        src = this.ctrlQueue.shift() as number;
      } else if ((this.ram[0] & Ccb.KBD_DISABLE) === 0 && this.keyboard.queue.length > 0) {
        b = this.keyboard.take();
      } else if ((this.ram[0] & Ccb.AUX_DISABLE) === 0 && this.auxQueue.length > 0) {
        b = this.auxQueue.shift() as number;
        src = Src.Aux;
      }
      if (b >= 0) {
        this.outByte = b;
        this.outSrc = src;
        this.status |= Status.OBF;
        if (src === Src.Aux) this.status |= Status.AUX_OBF;
        else this.status &= ~Status.AUX_OBF;
      }
    }
    this.updateIrq();
  }

  private reply(b: number, src: Src = Src.Kbd): void {
    this.ctrlQueue.push(b & 0xff, src);
    this.fill();
  }

  private updateIrq(): void {
    const full = (this.status & Status.OBF) !== 0;
    const l1 = full && this.outSrc === Src.Kbd && (this.ram[0] & Ccb.KBD_INT) !== 0;
    const l12 = full && this.outSrc === Src.Aux && (this.ram[0] & Ccb.AUX_INT) !== 0;
    if (l1 !== this.irq1Level) {
      this.irq1Level = l1;
      this.opts.irq1.set(l1);
    }
    if (l12 !== this.irq12Level) {
      this.irq12Level = l12;
      this.opts.irq12?.set(l12);
    }
  }

  // ---- output port --------------------------------------------------------------------------------------------

  private writeOutport(v: number): void {
    const oldA20 = (this.outport & 2) !== 0;
    this.outport = v & 0xff;
    const a20 = (v & 2) !== 0;
    if (a20 !== oldA20) this.opts.onA20?.(a20);
    if ((v & 1) === 0) this.opts.onReset?.();
  }

  // ---- ports --------------------------------------------------------------------------------------------------

  /** Offsets relative to port 0x60: 0 = data, 4 = status/command (use dataPort/commandPort on a bus). */
  read(offset: number, _size: number): number {
    if (offset === 4) return this.status;
    if (offset !== 0) return 0xff;
    const b = this.outByte;
    this.status &= ~(Status.OBF | Status.AUX_OBF);
    // Drop the IRQ before refilling so the next byte gives edge-triggered controllers a fresh edge (as QEMU does).
    this.updateIrq();
    this.fill();
    return b;
  }

  write(offset: number, _size: number, value: number): void {
    const v = value & 0xff;
    if (offset === 4) {
      this.status |= Status.CMD;
      this.command(v);
    } else if (offset === 0) {
      this.status &= ~Status.CMD;
      this.data(v);
    }
  }

  private command(c: number): void {
    this.pendingCmd = 0;
    if (c >= 0x20 && c <= 0x3f) {
      this.reply(this.ram[c & 0x1f]);
      return;
    }
    if ((c >= 0x60 && c <= 0x7f) || c === 0xd1 || c === 0xd2 || c === 0xd3 || c === 0xd4) {
      this.pendingCmd = c;
      return;
    }
    if (c >= 0xf0) {
      // Pulse output port bits 0..3 that are 0 in the command; bit 0 is the CPU reset line.
      if ((c & 1) === 0) this.opts.onReset?.();
      return;
    }
    switch (c) {
      case 0xa7:
        this.ram[0] |= Ccb.AUX_DISABLE;
        break;
      case 0xa8:
        this.ram[0] &= ~Ccb.AUX_DISABLE;
        this.fill();
        break;
      case 0xa9: // aux interface test: OK
      case 0xab: // keyboard interface test: OK
        this.reply(0x00);
        break;
      case 0xaa: // controller self-test
        this.status |= Status.SYS;
        this.reply(0x55);
        break;
      case 0xad:
        this.ram[0] |= Ccb.KBD_DISABLE;
        break;
      case 0xae:
        this.ram[0] &= ~Ccb.KBD_DISABLE;
        this.fill();
        break;
      case 0xc0: // input port: keyboard not inhibited (bit 7)
        this.reply(0x80);
        break;
      case 0xd0: {
        const full = (this.status & Status.OBF) !== 0;
        const ob = full ? (this.outSrc === Src.Aux ? 0x20 : 0x10) : 0;
        this.reply((this.outport & ~0x30) | ob);
        break;
      }
      case 0xdd:
        this.writeOutport(this.outport & ~2);
        break;
      case 0xdf:
        this.writeOutport(this.outport | 2);
        break;
      case 0xe0: // test inputs
        this.reply(0x00);
        break;
      default:
        break; // unknown commands are ignored
    }
  }

  private data(v: number): void {
    const c = this.pendingCmd;
    this.pendingCmd = 0;
    if (c >= 0x60 && c <= 0x7f) {
      this.ram[c & 0x1f] = v;
      if (c === 0x60) {
        this.status = (this.status & ~Status.SYS) | (v & Ccb.SYS ? Status.SYS : 0);
        this.fill();
      }
      return;
    }
    switch (c) {
      case 0xd1:
        this.writeOutport(v);
        return;
      case 0xd2:
        this.reply(v, Src.Kbd);
        return;
      case 0xd3:
        this.reply(v, Src.Aux);
        return;
      case 0xd4:
        this.auxCommand(v);
        this.fill();
        return;
      default:
        // To the keyboard; talking to it re-enables its interface (as QEMU and real 8042s do).
        this.ram[0] &= ~Ccb.KBD_DISABLE;
        this.keyboard.command(v);
        this.fill();
    }
  }

  /** Minimal PS/2 mouse: acknowledges everything, answers reset, ID and status requests. */
  private auxCommand(v: number): void {
    if (this.auxPendingCmd !== 0) {
      this.auxPendingCmd = 0;
      this.auxQueue.push(0xfa);
      return;
    }
    switch (v) {
      case 0xff:
        this.auxQueue.push(0xfa, 0xaa, 0x00);
        break;
      case 0xf2:
        this.auxQueue.push(0xfa, 0x00);
        break;
      case 0xe9:
        this.auxQueue.push(0xfa, 0x00, 0x02, 0x64);
        break;
      case 0xe8:
      case 0xf3:
        this.auxPendingCmd = v;
        this.auxQueue.push(0xfa);
        break;
      default:
        this.auxQueue.push(0xfa);
    }
  }

  saveState(): I8042State {
    return {
      ram: Array.from(this.ram), status: this.status, outport: this.outport, pendingCmd: this.pendingCmd,
      ctrlQueue: [...this.ctrlQueue], auxQueue: [...this.auxQueue], auxPendingCmd: this.auxPendingCmd,
      outByte: this.outByte, outSrc: this.outSrc, kbd: this.keyboard.saveState(),
    };
  }

  restoreState(s: I8042State): void {
    this.ram.set(s.ram);
    this.status = s.status;
    this.outport = s.outport;
    this.pendingCmd = s.pendingCmd;
    this.ctrlQueue = [...s.ctrlQueue];
    this.auxQueue = [...s.auxQueue];
    this.auxPendingCmd = s.auxPendingCmd;
    this.outByte = s.outByte;
    this.outSrc = s.outSrc;
    this.keyboard.restoreState(s.kbd);
    const full = (this.status & Status.OBF) !== 0;
    this.irq1Level = full && this.outSrc === Src.Kbd && (this.ram[0] & Ccb.KBD_INT) !== 0;
    this.irq12Level = full && this.outSrc === Src.Aux && (this.ram[0] & Ccb.AUX_INT) !== 0;
    this.opts.irq1.set(this.irq1Level);
    this.opts.irq12?.set(this.irq12Level);
  }
}
