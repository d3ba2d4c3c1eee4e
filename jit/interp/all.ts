// Registers every instruction family with the interpreter (the single place the machine and tests call).
import { registerIntegerOps } from './int/index.js';
import { registerSystemOps } from './sys/index.js';
import { registerSse } from './sse/index.js';
import { registerX87 } from './x87/index.js';

let done = false;

export function registerAllHandlers(): void {
  if (done) return;
  done = true;
  registerIntegerOps();
  registerSystemOps();
  registerSse();
  registerX87();
}
