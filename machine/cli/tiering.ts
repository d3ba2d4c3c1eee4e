// V8 tiering at the start of a CLI run (TurboFan, V8's optimizing compiler, switched by its --opt flag at run time).
// The boot runs its 37 k guest instructions once, but TurboFan meanwhile compiles some 40 emulator functions, about
// 85 ms of CPU (measured with --no-concurrent-recompilation) that only long runs pay back: without it the guest part
// of the boot takes 45 ms instead of 110 ms on the shared 2-core machine (perf/README.md "Boot time"). Ignition and
// Sparkplug keep running; TurboFan resumes after `ms` and long runs reach their usual speed.
import { setFlagsFromString } from 'node:v8';

/** Hold TurboFan back for the first `ms` of host time, unless the user chose V8 optimization flags. */
export function deferOptimizingCompiler(ms: number): void {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/--(no-)?(opt|turbofan|max-opt)\b/.test(flags)) return;
  setFlagsFromString('--no-opt');
  setTimeout(() => setFlagsFromString('--opt'), ms).unref();
}
