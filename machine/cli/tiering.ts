// V8 tiering at the start of a CLI run (TurboFan, V8's optimizing compiler, switched by its --opt flag at run time).
// The boot runs its 37 k guest instructions once, but TurboFan meanwhile compiles some 40 emulator functions, about
// 85 ms of CPU (measured with --no-concurrent-recompilation) that only long runs pay back: without it the guest part
// of the boot takes 45 ms instead of 110 ms on the shared 2-core machine (perf/README.md "Boot time"). Ignition and
// Sparkplug keep running; TurboFan resumes after `ms` and long runs reach their usual speed.
import { setFlagsFromString } from 'node:v8';

/**
 * Hold TurboFan back until the returned function is called (the CLI calls it when the guest first waits for input,
 * i.e. at the prompt, or right after parsing for commands without one) or `ms` have passed, unless the user chose
 * V8 optimization flags. Translated guest code runs unoptimised meanwhile, so the window must end as soon as the
 * boot is over: a compute run that starts at once would lose the JIT's speed for the whole window.
 */
export function deferOptimizingCompiler(ms: number): () => void {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/--(no-)?(opt|turbofan|max-opt)\b/.test(flags)) return () => {};
  setFlagsFromString('--no-opt');
  let held = true;
  const resume = (): void => {
    if (!held) return;
    held = false;
    clearTimeout(timer);
    setFlagsFromString('--opt');
  };
  const timer = setTimeout(resume, ms);
  timer.unref();
  return resume;
}
