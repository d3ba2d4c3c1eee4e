// One short run in a fresh process (perf/run.ts "Short runs"): argv = bin, sym, engine, n, slice|-; prints the
// GuestResult as JSON. A fresh process keeps earlier runs' V8 background work (GC, optimising compiles) out of the
// CPU time measured, which otherwise swamps runs of 15-100 ms.
import { runGuest } from './guest-run.js';

const [bin, sym, engine, n, slice] = process.argv.slice(2);
const r = runGuest(bin, sym, {
  engine: engine as 'interp' | 'auto',
  n: Number(n),
  reps: 1,
  slice: slice === '-' ? undefined : Number(slice),
});
process.stdout.write(JSON.stringify(r));
