// Entry of the bundled `bmjit` (tools/bundle.mjs, dist/bmjit.cjs): run the CLI now, or, while Node builds a startup
// snapshot from the bundle (dist/bmjit.blob), load every module and run the CLI when the snapshot is deserialized.
import { restoreSnapshotShims } from './snapshot-shims.js'; // first: its stand-ins must be in place while the rest loads
import { startupSnapshot } from 'node:v8';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from './cli.js';
import './commands.js'; // loaded at once (the plain CLI imports it after parsing), so that it is in the snapshot

/** What `import.meta.url` stands for in the bundle (the bundle's banner sets it from __filename). */
declare let __bmjitUrl: string;

restoreSnapshotShims();
if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.setDeserializeMainFunction(() => {
    // __filename was fixed when the snapshot was built; the blob lies beside the bundle, wherever the checkout is now.
    const i = process.execArgv.findIndex((a) => a === '--snapshot-blob' || a.startsWith('--snapshot-blob='));
    const blob = i < 0 ? undefined : process.execArgv[i].includes('=') ? process.execArgv[i].slice(16) : process.execArgv[i + 1];
    if (blob !== undefined) __bmjitUrl = pathToFileURL(join(dirname(resolve(blob)), 'bmjit.cjs')).href;
    // `node --snapshot-blob B -- ARGS`: process.argv is [node, ...ARGS].
    void runCli(process.argv.slice(1));
  });
} else {
  void runCli(process.argv.slice(2));
}
