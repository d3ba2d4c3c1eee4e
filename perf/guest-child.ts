// One guest run in a fresh process (perf/run.ts): argv = bin, sym ('' for none), GuestOptions as JSON; prints the
// GuestResult as JSON, or the error on stderr with status 2. Used for the short runs (earlier runs' V8 background
// work, GC and optimising compiles, would swamp runs of 15-100 ms) and for the interpreter tier: after the other
// workloads ran in the same process, linked-list's interpreter time doubled (444-454 ms; alone 208-241 ms).
import { runGuest, type GuestOptions } from './guest-run.js';

const [bin, sym, json] = process.argv.slice(2);
try {
  process.stdout.write(JSON.stringify(runGuest(bin, sym === '' ? undefined : sym, JSON.parse(json) as GuestOptions)));
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
