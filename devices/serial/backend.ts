// Host side of a serial port (the UART model never touches files, sockets or stdin itself): bytes the guest
// transmits go to write(); bytes from the host arrive through the callback given to onInput().
export interface SerialBackend {
  /** Guest -> host. Called with batches; the array may be reused by the caller after the call returns. */
  write(bytes: Uint8Array): void;
  /** Register the receiver of host -> guest bytes (the UART's inject()). Called once when the port is attached. */
  onInput(cb: (bytes: Uint8Array) => void): void;
  /** Optional: release host resources (raw mode, listeners). */
  close?(): void;
}
