// PS/2 keyboard device (IBM PS/2 Hardware Interface Technical Reference, keyboard commands 0xED-0xFF): command
// replies, scan code sets 1-2 (3 answered as 2), scanning enable, LEDs; emits bytes towards the 8042.
import { scancodeBytes } from './scancodes.js';

export const KBD_ACK = 0xfa;
export const KBD_RESEND = 0xfe;
export const KBD_BAT_OK = 0xaa;
export const KBD_ECHO = 0xee;

/** Bytes queued by the keyboard beyond this are dropped (a real keyboard buffers ~16; host bursts need more). */
const QUEUE_LIMIT = 1024;

export interface Ps2KeyboardState {
  queue: number[];
  scanning: boolean;
  set: number;
  leds: number;
  /** Command awaiting its argument byte (0 = none). */
  pendingCmd: number;
  lastSent: number;
}

export class Ps2Keyboard {
  queue: number[] = [];
  scanning = true;
  set = 2;
  leds = 0;
  pendingCmd = 0;
  lastSent = 0;
  /** LED changes (bit 0 Scroll, 1 Num, 2 Caps). */
  onLeds: ((leds: number) => void) | undefined;

  constructor(
    /** Whether the 8042 translates (command byte bit 6); replies to F2/F0-00 differ when it does. */
    private readonly translating: () => boolean,
  ) {}

  reset(): void {
    this.queue = [];
    this.scanning = true;
    this.set = 2;
    this.leds = 0;
    this.pendingCmd = 0;
  }

  private put(...bytes: number[]): void {
    for (const b of bytes) if (this.queue.length < QUEUE_LIMIT) this.queue.push(b);
  }

  /** Next byte for the controller, or -1. */
  take(): number {
    if (this.queue.length === 0) return -1;
    const b = this.queue.shift() as number;
    this.lastSent = b;
    return b;
  }

  /** A byte from the host (the guest wrote port 0x60). */
  command(b: number): void {
    if (this.pendingCmd !== 0) {
      const cmd = this.pendingCmd;
      this.pendingCmd = 0;
      switch (cmd) {
        case 0xed:
          this.leds = b & 7;
          this.put(KBD_ACK);
          this.onLeds?.(this.leds);
          return;
        case 0xf0:
          if (b === 0) {
            const xl = this.translating();
            this.put(KBD_ACK, xl ? [0, 0x43, 0x41, 0x3f][this.set] : this.set);
          } else if (b >= 1 && b <= 3) {
            this.set = b;
            this.put(KBD_ACK);
          } else this.put(KBD_RESEND);
          return;
        default: // 0xf3 typematic rate: accepted, not modelled (the host repeats keys itself)
          this.put(KBD_ACK);
          return;
      }
    }
    switch (b) {
      case 0xed:
      case 0xf0:
      case 0xf3:
        this.pendingCmd = b;
        this.put(KBD_ACK);
        return;
      case 0xee:
        this.put(KBD_ECHO);
        return;
      case 0xf2:
        this.put(KBD_ACK, 0xab, this.translating() ? 0x41 : 0x83);
        return;
      case 0xf4:
        this.scanning = true;
        this.put(KBD_ACK);
        return;
      case 0xf5:
        this.scanning = false;
        this.set = 2;
        this.put(KBD_ACK);
        return;
      case 0xf6:
        this.set = 2;
        this.put(KBD_ACK);
        return;
      case 0xf7:
      case 0xf8:
      case 0xf9:
      case 0xfa:
      case 0xfb:
      case 0xfc:
      case 0xfd:
        this.put(KBD_ACK); // set-3 key type commands: accepted and ignored
        return;
      case 0xfe:
        this.put(this.lastSent);
        return;
      case 0xff:
        this.queue = [];
        this.scanning = true;
        this.set = 2;
        this.leds = 0;
        this.put(KBD_ACK, KBD_BAT_OK);
        return;
      default:
        this.put(KBD_RESEND);
    }
  }

  /** A host key event; false if the key is unknown. Dropped (true) while scanning is disabled. */
  key(code: string, down: boolean): boolean {
    // Set 2 through the 8042's translation is set 1; set 1 is sent as is (not double-translated).
    const set = this.set === 1 || this.translating() ? 1 : 2;
    const bytes = scancodeBytes(code, down, set);
    if (bytes === undefined) return false;
    if (this.scanning) this.put(...bytes);
    return true;
  }

  /** Raw bytes exactly as the guest will read them. */
  raw(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.put(bytes[i] & 0xff);
  }

  saveState(): Ps2KeyboardState {
    return { queue: [...this.queue], scanning: this.scanning, set: this.set, leds: this.leds, pendingCmd: this.pendingCmd, lastSent: this.lastSent };
  }

  restoreState(s: Ps2KeyboardState): void {
    this.queue = [...s.queue];
    this.scanning = s.scanning;
    this.set = s.set;
    this.leds = s.leds;
    this.pendingCmd = s.pendingCmd;
    this.lastSent = s.lastSent;
  }
}
