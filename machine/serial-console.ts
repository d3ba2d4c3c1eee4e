// The host's view of COM1 (machine.serial): guest output accumulated and fanned out to listeners and the configured
// back end, host input injected into the UART. Implements the UART's SerialBackend contract on the machine side.
import type { SerialBackend } from '../devices/serial/backend.js';

export type OutputListener = (bytes: Uint8Array, text: string) => void;

export class SerialConsole implements SerialBackend {
  private inject: ((bytes: Uint8Array) => void) | undefined;
  private listeners: OutputListener[] = [];
  private text = '';
  private pendingInput: Uint8Array[] = [];
  /** Called when host input arrives (the machine wakes an idle scheduler). */
  onHostInput: (() => void) | undefined;
  /** Total bytes the guest has written. */
  bytesOut = 0;

  constructor(private readonly host: SerialBackend | undefined) {}

  // ---- SerialBackend, as seen by the UART ----

  write(bytes: Uint8Array): void {
    this.bytesOut += bytes.length;
    let s = '';
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    this.text += s;
    this.host?.write(bytes);
    for (const l of this.listeners) l(bytes, s);
  }

  onInput(cb: (bytes: Uint8Array) => void): void {
    this.inject = cb;
    for (const b of this.pendingInput) cb(b);
    this.pendingInput = [];
    this.host?.onInput((bytes) => this.write_(bytes));
  }

  close(): void {
    this.host?.close?.();
  }

  // ---- public API (machine.serial) ----

  /** Everything the guest has written to COM1, as Latin-1 text (byte-exact). */
  get output(): string {
    return this.text;
  }

  /** Forget the accumulated output (listeners and the back end are unaffected). */
  clearOutput(): void {
    this.text = '';
  }

  /** Listen to guest output; returns a function that removes the listener. */
  onOutput(cb: OutputListener): () => void {
    this.listeners.push(cb);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== cb);
    };
  }

  /** Send bytes (or a string, as UTF-8) to the guest's receiver. */
  write_(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (this.inject === undefined) this.pendingInput.push(bytes.slice());
    else this.inject(bytes);
    this.onHostInput?.();
  }
}

/** The public face of machine.serial (a narrower view of SerialConsole). */
export interface SerialPort {
  readonly output: string;
  clearOutput(): void;
  onOutput(cb: OutputListener): () => void;
  /** Host -> guest. */
  write(data: Uint8Array | string): void;
}

export function serialPort(c: SerialConsole): SerialPort {
  return {
    get output() {
      return c.output;
    },
    clearOutput: () => c.clearOutput(),
    onOutput: (cb) => c.onOutput(cb),
    write: (data) => c.write_(data),
  };
}
