// Host back ends for the serial port (devices/serial/backend.ts contract): an in-memory buffer (tests, the default
// machine set-up) and a Node stream pair (stdio or a socket). Host specifics stay here, at the edge.
import type { SerialBackend } from '../serial/backend.js';

export type { SerialBackend } from '../serial/backend.js';

/** Collects guest output in memory; host input is pushed with send(). */
export class BufferSerialBackend implements SerialBackend {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private input: ((bytes: Uint8Array) => void) | undefined;
  /** Optional tap, e.g. to echo output while also collecting it. */
  onData: ((bytes: Uint8Array) => void) | undefined;

  write(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.chunks.push(copy);
    this.length += copy.length;
    this.onData?.(copy);
  }

  onInput(cb: (bytes: Uint8Array) => void): void {
    this.input = cb;
  }

  /** Host -> guest. Strings are sent as UTF-8. */
  send(data: Uint8Array | string): void {
    this.input?.(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** Everything the guest has written so far. */
  bytes(): Uint8Array {
    if (this.chunks.length !== 1) {
      const all = new Uint8Array(this.length);
      let o = 0;
      for (const c of this.chunks) {
        all.set(c, o);
        o += c.length;
      }
      this.chunks = [all];
    }
    return this.chunks[0] ?? new Uint8Array(0);
  }

  /** Guest output decoded as Latin-1 (byte-exact; serial consoles are 8-bit). */
  text(): string {
    const b = this.bytes();
    let s = '';
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
    return s;
  }

  clear(): void {
    this.chunks = [];
    this.length = 0;
  }
}

/** Minimal structural types of Node streams, so this file does not force a dependency on stream typings. */
interface ReadableLike {
  on(event: 'data', cb: (chunk: Buffer | string) => void): unknown;
  off?(event: 'data', cb: (chunk: Buffer | string) => void): unknown;
  setRawMode?(raw: boolean): unknown;
  isTTY?: boolean;
  resume?(): unknown;
  pause?(): unknown;
}
interface WritableLike {
  write(chunk: Uint8Array): unknown;
}

/** Guest output to a writable stream, host input from a readable one (process.stdin/stdout, a socket). */
export class StreamSerialBackend implements SerialBackend {
  private listener: ((chunk: Buffer | string) => void) | undefined;

  constructor(
    private readonly input: ReadableLike,
    private readonly output: WritableLike,
    private readonly raw = false,
  ) {}

  write(bytes: Uint8Array): void {
    this.output.write(bytes.slice());
  }

  onInput(cb: (bytes: Uint8Array) => void): void {
    if (this.raw && this.input.isTTY === true) this.input.setRawMode?.(true);
    this.listener = (chunk) => cb(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
    this.input.on('data', this.listener);
    this.input.resume?.();
  }

  close(): void {
    if (this.listener !== undefined) this.input.off?.('data', this.listener);
    if (this.raw && this.input.isTTY === true) this.input.setRawMode?.(false);
    this.input.pause?.();
  }
}
