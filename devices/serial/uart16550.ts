// National/TI 16550A UART (PC16550D datasheet): RBR/THR, IER, IIR/FCR, LCR (DLAB), MCR (loopback), LSR, MSR, SCR,
// 16-byte FIFOs with trigger levels and the interrupt priority scheme; transmission is instantaneous (bytes go
// straight to the host back end, batched), host input waits in a backlog so no byte is ever overrun.
import type { Clock, IrqLine, PortHandler, Stateful } from '../device.js';
import type { SerialBackend } from './backend.js';

export const enum UartReg {
  RBR_THR_DLL = 0,
  IER_DLM = 1,
  IIR_FCR = 2,
  LCR = 3,
  MCR = 4,
  LSR = 5,
  MSR = 6,
  SCR = 7,
}

export const enum Lsr {
  DR = 0x01,
  OE = 0x02,
  PE = 0x04,
  FE = 0x08,
  BI = 0x10,
  THRE = 0x20,
  TEMT = 0x40,
  FIFO_ERR = 0x80,
}

export const enum Iir {
  NONE = 0x01,
  MSR = 0x00,
  THRE = 0x02,
  RDA = 0x04,
  RLS = 0x06,
  TIMEOUT = 0x0c,
  FIFO_ON = 0xc0,
}

const FIFO_SIZE = 16;
const TRIGGER = [1, 4, 8, 14];
/** UART input clock / 16: the baud rate for divisor 1. */
const BASE_BAUD = 115200;
const OUT_BATCH = 4096;

export interface UartState {
  ier: number;
  lcr: number;
  mcr: number;
  /** Sticky error bits OE/PE/FE/BI (cleared by reading LSR). */
  lsrErrors: number;
  msr: number;
  scr: number;
  dll: number;
  dlm: number;
  fifoEnabled: boolean;
  triggerIndex: number;
  rx: number[];
  /** Host bytes waiting for room in the receiver. */
  backlog: number[];
  thrIntPending: boolean;
  timeoutPending: boolean;
}

export interface UartOptions {
  irq: IrqLine;
  /** Character-timeout timing; without a clock the timeout indication is immediate. */
  clock?: Clock;
  /** Gate the interrupt output with MCR.OUT2 as PC boards do. QEMU does not; default false (QEMU behaviour). */
  out2GatesIrq?: boolean;
  name?: string;
}

export class Uart16550 implements PortHandler, Stateful<UartState> {
  readonly name: string;
  private readonly irq: IrqLine;
  private readonly clock: Clock | undefined;
  private readonly out2Gates: boolean;
  private backend: SerialBackend | undefined;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private lsrErrors = 0;
  private msr = 0;
  private scr = 0;
  private dll = 0x0c;
  private dlm = 0;
  private fifoEnabled = false;
  private triggerIndex = 0;
  private rx: number[] = [];
  private backlog: number[] = [];
  private backlogHead = 0;
  private thrIntPending = false;
  private timeoutPending = false;
  private timeoutHandle = -1;
  private irqLevel = false;

  private readonly out = new Uint8Array(OUT_BATCH);
  private outLen = 0;
  private flushQueued = false;

  constructor(opts: UartOptions) {
    this.irq = opts.irq;
    this.clock = opts.clock;
    this.out2Gates = opts.out2GatesIrq === true;
    this.name = opts.name ?? 'uart0';
    this.reset();
  }

  /** Connect the host side: output goes to backend.write, backend input is injected. */
  attach(backend: SerialBackend): void {
    this.backend = backend;
    backend.onInput((bytes) => this.inject(bytes));
  }

  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.lsrErrors = 0;
    this.msr = 0xb0; // DCD, DSR, CTS asserted by the (virtual) other end
    this.scr = 0;
    this.dll = 0x0c;
    this.dlm = 0;
    this.fifoEnabled = false;
    this.triggerIndex = 0;
    this.rx = [];
    this.thrIntPending = false;
    this.timeoutPending = false;
    this.cancelTimeout();
    this.update();
  }

  // ---- host side ----------------------------------------------------------------------------------------------

  /**
   * Host -> guest bytes. They fill an empty receiver (up to the FIFO size); the rest waits in a backlog and enters
   * when the guest has drained the receiver, so host input never overruns.
   */
  inject(bytes: Uint8Array | readonly number[]): void {
    for (let i = 0; i < bytes.length; i++) this.backlog.push(bytes[i] & 0xff);
    if (this.rx.length === 0) this.refill();
    this.update();
  }

  /** Push batched guest output to the back end now. */
  flush(): void {
    this.flushQueued = false;
    if (this.outLen === 0) return;
    const n = this.outLen;
    this.outLen = 0;
    this.backend?.write(this.out.subarray(0, n));
  }

  private transmit(b: number): void {
    this.out[this.outLen++] = b;
    if (this.outLen === OUT_BATCH) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private get capacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private refill(): void {
    let moved = false;
    const q = this.backlog;
    while (this.backlogHead < q.length && this.rx.length < this.capacity) {
      this.rx.push(q[this.backlogHead++]);
      moved = true;
    }
    if (this.backlogHead === q.length) {
      q.length = 0;
      this.backlogHead = 0;
    } else if (this.backlogHead > 4096) {
      q.splice(0, this.backlogHead); // amortised compaction (no O(n) shift per byte for large pastes)
      this.backlogHead = 0;
    }
    if (moved) this.armTimeout();
  }

  /** Host bytes not yet in the receiver. */
  get pendingInput(): number {
    return this.backlog.length - this.backlogHead;
  }

  /**
   * A byte arrives from the line (loopback). Overrun sets OE: without FIFO the new byte overwrites RBR, with a
   * full FIFO the new byte is lost (datasheet; QEMU agrees).
   */
  private receive(b: number): void {
    if (this.rx.length >= this.capacity) {
      this.lsrErrors |= Lsr.OE;
      if (!this.fifoEnabled) this.rx[0] = b;
      return;
    }
    this.rx.push(b);
    this.armTimeout();
  }

  // ---- character timeout --------------------------------------------------------------------------------------

  private charNs(): number {
    const div = (this.dlm << 8) | this.dll || 1;
    const bits = 1 + 5 + (this.lcr & 3) + ((this.lcr & 8) !== 0 ? 1 : 0) + ((this.lcr & 4) !== 0 ? 2 : 1);
    return (bits * 1e9 * div) / BASE_BAUD;
  }

  private cancelTimeout(): void {
    if (this.timeoutHandle >= 0) this.clock?.cancel(this.timeoutHandle);
    this.timeoutHandle = -1;
  }

  /** Restart the 4-character timeout after a receive or a read. */
  private armTimeout(): void {
    this.timeoutPending = false;
    this.cancelTimeout();
    if (!this.fifoEnabled || this.rx.length === 0) return;
    if (this.clock === undefined) {
      this.timeoutPending = true;
      return;
    }
    this.timeoutHandle = this.clock.schedule(this.clock.nowNs() + 4 * this.charNs(), () => {
      this.timeoutHandle = -1;
      if (this.rx.length > 0) {
        this.timeoutPending = true;
        this.update();
      }
    });
  }

  // ---- interrupt logic ----------------------------------------------------------------------------------------

  /** Interrupt identification, highest priority first (datasheet Table 4). */
  private iirId(): number {
    const ier = this.ier;
    if ((ier & 4) !== 0 && (this.lsrErrors & (Lsr.OE | Lsr.PE | Lsr.FE | Lsr.BI)) !== 0) return Iir.RLS;
    if ((ier & 1) !== 0 && this.rx.length > 0) {
      if (!this.fifoEnabled || this.rx.length >= TRIGGER[this.triggerIndex]) return Iir.RDA;
      if (this.timeoutPending) return Iir.TIMEOUT;
    }
    if ((ier & 2) !== 0 && this.thrIntPending) return Iir.THRE;
    if ((ier & 8) !== 0 && (this.msr & 0x0f) !== 0) return Iir.MSR;
    return Iir.NONE;
  }

  private update(): void {
    let level = this.iirId() !== Iir.NONE;
    if (this.out2Gates && (this.mcr & 8) === 0) level = false;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }

  // ---- modem status -------------------------------------------------------------------------------------------

  /** Recompute MSR inputs (loopback mirrors MCR) and latch the delta bits. */
  private updateMsr(): void {
    const old = this.msr;
    let lines: number;
    if ((this.mcr & 0x10) !== 0) {
      const m = this.mcr;
      lines = ((m & 2) !== 0 ? 0x10 : 0) | ((m & 1) !== 0 ? 0x20 : 0) | ((m & 4) !== 0 ? 0x40 : 0) | ((m & 8) !== 0 ? 0x80 : 0);
    } else lines = 0xb0;
    const changed = (old ^ lines) & 0xf0;
    let delta = old & 0x0f;
    if ((changed & 0x10) !== 0) delta |= 0x01;
    if ((changed & 0x20) !== 0) delta |= 0x02;
    if ((changed & 0x40) !== 0 && (lines & 0x40) === 0) delta |= 0x04; // trailing edge of RI
    if ((changed & 0x80) !== 0) delta |= 0x08;
    this.msr = lines | delta;
  }

  // ---- port interface -----------------------------------------------------------------------------------------

  read(offset: number, _size: number): number {
    switch (offset & 7) {
      case UartReg.RBR_THR_DLL: {
        if ((this.lcr & 0x80) !== 0) return this.dll;
        if (this.rx.length === 0) return 0;
        const b = this.rx.shift() as number;
        this.armTimeout();
        this.update();
        if (this.rx.length === 0 && this.pendingInput > 0) {
          // Host bytes arrive once the receiver is drained: the IRQ has just dropped, so this is a fresh edge.
          this.refill();
          this.update();
        }
        return b;
      }
      case UartReg.IER_DLM:
        return (this.lcr & 0x80) !== 0 ? this.dlm : this.ier;
      case UartReg.IIR_FCR: {
        const id = this.iirId();
        if (id === Iir.THRE) {
          this.thrIntPending = false; // reading IIR with THRE as the source acknowledges it
          this.update();
        }
        return id | (this.fifoEnabled ? Iir.FIFO_ON : 0);
      }
      case UartReg.LCR:
        return this.lcr;
      case UartReg.MCR:
        return this.mcr;
      case UartReg.LSR: {
        const v = (this.rx.length > 0 ? Lsr.DR : 0) | this.lsrErrors | Lsr.THRE | Lsr.TEMT;
        if (this.lsrErrors !== 0) {
          this.lsrErrors = 0;
          this.update();
        }
        return v;
      }
      case UartReg.MSR: {
        const v = this.msr;
        if ((v & 0x0f) !== 0) {
          this.msr &= 0xf0;
          this.update();
        }
        return v;
      }
      default:
        return this.scr;
    }
  }

  write(offset: number, _size: number, value: number): void {
    const v = value & 0xff;
    switch (offset & 7) {
      case UartReg.RBR_THR_DLL:
        if ((this.lcr & 0x80) !== 0) {
          this.dll = v;
          return;
        }
        this.thrIntPending = false;
        this.update(); // the THRE interrupt drops while the byte is "in" THR ...
        if ((this.mcr & 0x10) !== 0) this.receive(v);
        else this.transmit(v);
        this.thrIntPending = true; // ... and THR is empty again at once
        this.update();
        return;
      case UartReg.IER_DLM:
        if ((this.lcr & 0x80) !== 0) {
          this.dlm = v;
          return;
        }
        // Enabling the THRE interrupt while THR is empty raises it (as on real parts and in QEMU).
        if ((v & 2) !== 0 && (this.ier & 2) === 0) this.thrIntPending = true;
        this.ier = v & 0x0f;
        this.update();
        return;
      case UartReg.IIR_FCR: {
        const enable = (v & 1) !== 0;
        if (enable !== this.fifoEnabled) {
          this.rx = [];
        }
        this.fifoEnabled = enable;
        if ((v & 2) !== 0) this.rx = [];
        this.triggerIndex = (v >> 6) & 3;
        this.refill();
        this.armTimeout();
        this.update();
        return;
      }
      case UartReg.LCR:
        this.lcr = v;
        return;
      case UartReg.MCR:
        this.mcr = v & 0x1f;
        this.updateMsr();
        this.update();
        return;
      case UartReg.LSR:
        return; // factory test register on real parts; ignored
      case UartReg.MSR:
        return;
      default:
        this.scr = v;
    }
  }

  saveState(): UartState {
    return {
      ier: this.ier, lcr: this.lcr, mcr: this.mcr, lsrErrors: this.lsrErrors, msr: this.msr, scr: this.scr,
      dll: this.dll, dlm: this.dlm, fifoEnabled: this.fifoEnabled, triggerIndex: this.triggerIndex,
      rx: [...this.rx], backlog: this.backlog.slice(this.backlogHead), thrIntPending: this.thrIntPending,
      timeoutPending: this.timeoutPending,
    };
  }

  restoreState(s: UartState): void {
    this.ier = s.ier;
    this.lcr = s.lcr;
    this.mcr = s.mcr;
    this.lsrErrors = s.lsrErrors;
    this.msr = s.msr;
    this.scr = s.scr;
    this.dll = s.dll;
    this.dlm = s.dlm;
    this.fifoEnabled = s.fifoEnabled;
    this.triggerIndex = s.triggerIndex;
    this.rx = [...s.rx];
    this.backlog = [...s.backlog];
    this.backlogHead = 0;
    this.thrIntPending = s.thrIntPending;
    this.cancelTimeout();
    this.timeoutPending = s.timeoutPending;
    if (!this.timeoutPending && this.rx.length > 0) this.armTimeout();
    this.update();
  }
}
