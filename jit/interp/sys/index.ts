// System-instruction handlers (SDM Vol. 3 system programming; Vol. 2 instruction pages): importing this module
// registers them all with the interpreter.
import './flags.js';
import './cr.js';
import './tables.js';
import './sreg.js';
import './far.js';
import './intn.js';
import './fastcall.js';
import './misc.js';
import './io.js';

export { writeFlagsChecked } from './flags.js';
export { checkIoPermission } from './io.js';
export { setRandomSource } from './misc.js';

/** The handlers register when this module loads; calling this documents the dependency (idempotent). */
export function registerSystemOps(): void {}
