// The instruction set the machine executes: every interpreter handler family registered once (jit/interp/all.ts).
import { registerAllHandlers } from '../jit/interp/all.js';

registerAllHandlers();
