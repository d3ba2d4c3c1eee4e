#!/usr/bin/env node
// Builds the `bmjit` command (bin/bmjit) from the compiled CLI in dist/: one CommonJS bundle dist/bmjit.cjs (esbuild)
// and a Node startup snapshot of it, dist/bmjit.blob, in which every module is already loaded. Host code only: no
// machine exists in the snapshot, every run boots the guest from reset. See perf/README.md "Boot time".
//   node tools/bundle.mjs [--no-snapshot]
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'dist', 'machine', 'cli', 'entry.js');
const BUNDLE = join(ROOT, 'dist', 'bmjit.cjs');
const BLOB = join(ROOT, 'dist', 'bmjit.blob');
/** The node binary the blob belongs to (a snapshot only loads into the Node build that wrote it). */
const BLOB_NODE = `${BLOB}.node`;

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

if (!existsSync(ENTRY)) fail(`${ENTRY} is missing: run npm run build:ts first`);
rmSync(BLOB, { force: true }); // never leave a blob of an older bundle behind
rmSync(BLOB_NODE, { force: true });

await build({
  entryPoints: [ENTRY],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs', // a startup snapshot is built from a CommonJS script
  target: 'node20',
  // import.meta has no CommonJS equivalent: the bundle's own URL, from __filename (entry.ts updates it in a snapshot).
  define: { 'import.meta.url': '__bmjitUrl' },
  banner: { js: 'var __bmjitUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Dependencies find files next to themselves (yargs: its locales) through import.meta.url: give each its own URL,
  // relative to the bundle, as if it had not been bundled.
  plugins: [
    {
      name: 'dependency-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          if (!text.includes('import.meta.url')) return undefined;
          const rel = relative(dirname(BUNDLE), args.path).split('\\').join('/');
          return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, __bmjitUrl).href`), loader: 'js' };
        });
      },
    },
  ],
  logLevel: 'warning',
}).catch((e) => fail(e.message.split('\n')[0]));

if (!process.argv.includes('--no-snapshot')) {
  // --no-warnings: Node warns that node:module (createRequire, used by yargs) is "not yet fully verified" in snapshots.
  const b = spawnSync(process.execPath, ['--no-warnings', '--snapshot-blob', BLOB, '--build-snapshot', BUNDLE], { cwd: ROOT, encoding: 'utf8' });
  // The snapshot must start and answer like the bundle; otherwise bin/bmjit runs the bundle without one.
  const check = b.status === 0 && existsSync(BLOB) ? spawnSync(process.execPath, ['--snapshot-blob', BLOB, '--', '--help'], { cwd: ROOT, encoding: 'utf8' }) : undefined;
  if (check === undefined || check.status !== 0 || !check.stdout.includes('bmjit <command>')) {
    rmSync(BLOB, { force: true });
    const why = (check === undefined ? b.stderr : check.stderr + check.stdout).trim().split('\n')[0] ?? '';
    process.stderr.write(`bundle: warning: no startup snapshot (bmjit starts more slowly): ${why}\n`);
  } else {
    writeFileSync(BLOB_NODE, `${realpathSync(process.execPath)}\n`);
  }
}
