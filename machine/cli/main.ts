#!/usr/bin/env node
// bmjit from the compiled modules (node dist/machine/cli/main.js). The `bmjit` command (bin/bmjit) runs the same CLI
// from a startup snapshot of one bundled file (tools/bundle.mjs, entry.ts), see perf/README.md "Boot time".
import { runCli } from './cli.js';

void runCli(process.argv.slice(2));
