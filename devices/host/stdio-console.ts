// Interactive console on the host terminal for COM1 (QEMU `-serial stdio` behaviour plus its Ctrl-A escapes):
// guest bytes to stdout raw, stdin to the guest, raw mode on a TTY; Ctrl-C and Ctrl-A X end the session.
import type { SerialBackend } from '../serial/backend.js';

const CTRL_A = 0x01;
const CTRL_C = 0x03;

export interface StdioConsoleOptions {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  /** Ctrl-C typed on a raw terminal (or SIGINT): the user wants out. */
  onInterrupt: () => void;
  /** Ctrl-A X: quit, like QEMU's console escape. */
  onQuit: () => void;
  /** Standard input reached its end: no more host input will come. */
  onEnd: () => void;
  /** The output stream failed (e.g. EPIPE): nobody reads the console any more. */
  onOutputClosed?: () => void;
}

export class StdioConsole implements SerialBackend {
  private raw = false;
  private escape = false;
  private listener: ((chunk: Buffer) => void) | undefined;
  private endListener: (() => void) | undefined;
  private outputBroken = false;

  constructor(private readonly o: StdioConsoleOptions) {
    // A reader that went away (`bmjit ... | head`) ends the session quietly instead of crashing on EPIPE.
    o.output.on('error', () => {
      if (this.outputBroken) return;
      this.outputBroken = true;
      this.o.onOutputClosed?.();
    });
  }

  write(bytes: Uint8Array): void {
    if (!this.outputBroken) this.o.output.write(bytes.slice());
  }

  onInput(cb: (bytes: Uint8Array) => void): void {
    const input = this.o.input;
    if (input.isTTY === true) {
      input.setRawMode(true);
      this.raw = true;
    }
    this.listener = (chunk: Buffer) => {
      if (!this.raw) {
        cb(new Uint8Array(chunk));
        return;
      }
      const out: number[] = [];
      for (const b of chunk) {
        if (this.escape) {
          this.escape = false;
          if (b === 0x78 || b === 0x58) return this.o.onQuit(); // x / X
          if (b === CTRL_A) out.push(CTRL_A); // Ctrl-A Ctrl-A sends one Ctrl-A
          continue; // other escapes are ignored
        }
        if (b === CTRL_A) this.escape = true;
        else if (b === CTRL_C) return this.o.onInterrupt();
        else out.push(b);
      }
      if (out.length > 0) cb(Uint8Array.from(out));
    };
    this.endListener = () => this.o.onEnd();
    input.on('data', this.listener);
    input.on('end', this.endListener);
    input.resume();
  }

  /** Restore the terminal and stop reading. Safe to call more than once. */
  close(): void {
    const input = this.o.input;
    if (this.listener !== undefined) input.off('data', this.listener);
    if (this.endListener !== undefined) input.off('end', this.endListener);
    this.listener = undefined;
    this.endListener = undefined;
    if (this.raw) {
      input.setRawMode(false);
      this.raw = false;
    }
    input.pause();
  }
}
