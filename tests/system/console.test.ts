// The terminal console (devices/host/stdio-console.ts) and process signals: raw mode on a TTY, Ctrl-C and Ctrl-A X
// handling, terminal restored on exit; SIGINT ends `bmjit boot` with status 130.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { spawn, spawnSync } from 'node:child_process';
import { StdioConsole } from '../../devices/host/stdio-console.js';
import { buildKernel, CLI, ROOT } from './build.js';

// These tests start node processes and run guest code: allow for a loaded 2-core CI machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

class FakeTty extends EventEmitter {
  isTTY = true;
  raw: boolean[] = [];
  paused = false;
  setRawMode(on: boolean) {
    this.raw.push(on);
    return this;
  }
  resume() {
    this.paused = false;
    return this;
  }
  pause() {
    this.paused = true;
    return this;
  }
}

function makeConsole(tty: boolean) {
  const input = new FakeTty();
  input.isTTY = tty;
  const written: Uint8Array[] = [];
  const events: string[] = [];
  const c = new StdioConsole({
    input: input as unknown as NodeJS.ReadStream,
    output: { write: (b: Uint8Array) => written.push(b), on: () => undefined } as unknown as NodeJS.WriteStream,
    onInterrupt: () => events.push('interrupt'),
    onQuit: () => events.push('quit'),
    onEnd: () => events.push('end'),
  });
  const received: number[] = [];
  c.onInput((b) => received.push(...b));
  return { c, input, written, events, received };
}

describe('StdioConsole', () => {
  it('puts a TTY in raw mode, passes bytes through, and restores the terminal on close', () => {
    const t = makeConsole(true);
    expect(t.input.raw).toEqual([true]);
    t.input.emit('data', Buffer.from('ls\r'));
    expect(String.fromCharCode(...t.received)).toBe('ls\r');
    t.c.write(new Uint8Array([0x41, 0x0a]));
    expect(Array.from(t.written[0])).toEqual([0x41, 0x0a]);
    t.c.close();
    expect(t.input.raw).toEqual([true, false]);
    expect(t.input.paused).toBe(true);
    t.c.close(); // idempotent
    expect(t.input.raw).toEqual([true, false]);
  });

  it('Ctrl-C interrupts and Ctrl-A X quits; Ctrl-A Ctrl-A sends one Ctrl-A; neither reaches the guest', () => {
    const t = makeConsole(true);
    t.input.emit('data', Buffer.from([0x61, 0x01, 0x01, 0x62]));
    expect(t.received).toEqual([0x61, 0x01, 0x62]);
    t.input.emit('data', Buffer.from([0x01]));
    t.input.emit('data', Buffer.from('x'));
    expect(t.events).toEqual(['quit']);
    t.input.emit('data', Buffer.from([0x63, 0x03]));
    expect(t.events).toEqual(['quit', 'interrupt']);
    expect(t.received).toEqual([0x61, 0x01, 0x62]);
  });

  it('passes every byte through when stdin is not a terminal, and reports the end of input', () => {
    const t = makeConsole(false);
    expect(t.input.raw).toEqual([]);
    t.input.emit('data', Buffer.from([0x01, 0x78, 0x03]));
    expect(t.received).toEqual([0x01, 0x78, 0x03]);
    t.input.emit('end');
    expect(t.events).toEqual(['end']);
  });
});

describe('signals', () => {
  let echo: string;
  beforeAll(() => {
    echo = buildKernel('echo');
  });

  it('a closed stdout (`bmjit boot | head`) ends the session quietly with status 0', () => {
    // The built-in monitor keeps printing its prompt; head -c 12 closes the pipe after the banner's first bytes.
    const r = spawnSync('bash', ['-c', `printf 'ver\\rver\\rver\\r' | "${process.execPath}" "${CLI}" boot | head -c 12; echo " status=\${PIPESTATUS[1]}"`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).toMatch(/ status=0\n$/);
    expect(r.stderr).toBe('');
  });

  it('SIGINT stops a running guest; bmjit exits with status 130', async () => {
    const child = spawn(process.execPath, [CLI, 'boot', '--kernel', echo], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no prompt; output: ${out}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        if (out.includes('echo ready')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const status = await new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
    expect(status).toBe(130);
  });
});
