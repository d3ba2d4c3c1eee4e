// bmjit command line (yargs): `boot`, `bare`, `disasm`. A thin layer over the Machine API; every user mistake is one
// `bmjit: error: ...` line on stderr and a non-zero status, never a stack trace.
import yargs from 'yargs';
import { UserError, ExitStatus } from '../errors.js';
import type { CommonArgs } from './commands.js';
import { deferOptimizingCompiler } from './tiering.js';

function fail(message: string, status: number = ExitStatus.userError): never {
  process.stderr.write(`bmjit: error: ${message.split('\n')[0]}\n`);
  process.exit(status);
}

/**
 * yargs renders the complete help text whenever a command runs, only to keep it for a later showHelp(), which bmjit
 * never calls (its fail handler prints one line): 15-20 ms of the boot. Turn that cache off where yargs has it.
 */
function skipHelpCache(cli: unknown): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } })
    .getInternalMethods?.()
    .getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

async function main(args: string[]): Promise<void> {
  const cli = yargs(args)
    .scriptName('bmjit')
    .usage('$0 <command> [options]\n\nx86-64 PC emulator (JIT dynamic binary translator) running the BareMetal exokernel.')
    .command('boot', 'boot the built-in BareMetal system, or a Multiboot v1 kernel (--kernel)', (y) =>
      y
        .option('kernel', { type: 'string', describe: 'BareMetal kernel (jump + BAREMETAL signature) run by the built-in loader, or a Multiboot kernel (ELF32, or any image with a.out kludge addresses)' })
        .option('payload', { type: 'string', describe: 'flat binary run in place of the built-in monitor (BareMetal kernels only)' })
        .option('append', { type: 'string', describe: 'kernel command line arguments (after the file name, as QEMU passes them)' }),
    )
    .command('bare <file>', 'run a flat binary in 64-bit long mode (identity-mapped low 4 GiB)', (y) =>
      y
        .positional('file', { type: 'string', describe: 'flat binary image' })
        .option('load', { type: 'string', describe: 'physical load address', default: '0x100000' })
        .option('entry', { type: 'string', describe: 'entry address (default: the load address)' }),
    )
    .command('disasm <file>', 'disassemble a flat binary (Intel syntax)', (y) =>
      y
        .positional('file', { type: 'string', describe: 'binary to disassemble' })
        .option('bits', { type: 'number', choices: [16, 32, 64], default: 64, describe: 'code size' })
        .option('org', { type: 'string', default: '0', describe: 'address of the first byte' })
        .option('offset', { type: 'string', default: '0', describe: 'file offset to start at' })
        .option('length', { type: 'string', describe: 'bytes to disassemble (default: to the end)' }),
    )
    .option('memory', { alias: 'm', type: 'string', default: '256M', describe: 'guest RAM (e.g. 256M, 1G)' })
    .option('cpus', { alias: 'smp', type: 'number', default: 1, describe: 'number of vCPUs (1-64)' })
    .option('max-instructions', { type: 'string', describe: 'stop after this many instructions (e.g. 50M)' })
    .option('trace', { type: 'string', describe: 'trace to stderr: cpu,mmu,int,io (or all)' })
    .option('symbols', { type: 'string', describe: 'guest symbol map (lines "ADDRESS SYMBOL") for traces' })
    .option('jit', { type: 'string', describe: '--no-jit: interpreter only; --jit=always: translate everything' })
    .option('clock', { type: 'string', choices: ['virtual', 'host'], default: 'virtual', describe: 'guest time source' })
    .option('jit-dump', { type: 'string', describe: 'write each translated region as JavaScript (with guest disassembly) into this directory' })
    .option('stats', { type: 'boolean', default: false, describe: 'print execution statistics to stderr at exit' })
    .strict()
    .demandCommand(1, 'no command given (use boot, bare or disasm; see --help)')
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 80))
    .fail((msg, err) => {
      if (err instanceof UserError) throw err;
      const text = (msg ?? (err instanceof Error ? err.message : String(err))).replace(/\s*\n\s*/g, ' ').trim();
      throw new UserError(text.replace(/^Unknown arguments?: /, 'unknown option or argument: '));
    });
  skipHelpCache(cli);
  const argv = await cli.parseAsync();
  const cmd = String(argv._[0]);
  const common = argv as unknown as CommonArgs;
  if (argv._.length > 1) throw new UserError(`unexpected argument '${String(argv._[1])}'`);
  // Loaded after argument parsing: --help stays fast, and a broken build is reported like any other internal error.
  const { bootCommand, bareCommand, disasmCommand } = await import('./commands.js');
  let status: number;
  if (cmd !== 'boot') resumeOptimizer();
  if (cmd === 'boot') status = await bootCommand(common, argv.kernel as string | undefined, (argv.append as string | undefined) ?? '', argv.payload as string | undefined, resumeOptimizer);
  else if (cmd === 'bare') status = await bareCommand(common, argv.file as string, argv.load as string, argv.entry as string | undefined);
  else if (cmd === 'disasm') status = disasmCommand(argv.file as string, argv.bits as number, argv.org as string, argv.offset as string, argv.length as string | undefined);
  else throw new UserError(`unknown command '${cmd}' (use boot, bare or disasm)`);
  process.stdout.write('', () => process.exit(status));
}

/** Ends the start-up window without TurboFan (machine/cli/tiering.ts): at the boot's first idle wait, or now. */
let resumeOptimizer: () => void = () => {};

/** Run bmjit with its arguments (without node and the script); ends the process with the command's status. */
export function runCli(args: string[]): Promise<void> {
  resumeOptimizer = deferOptimizingCompiler(400);
  return main(args).catch((e: unknown) => {
    if (e instanceof UserError) fail(e.message);
    const msg = e instanceof Error ? e.message : String(e);
    if (process.env.BMJIT_DEBUG !== undefined && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
    fail(`internal error: ${msg} (set BMJIT_DEBUG=1 for details)`, ExitStatus.internal);
  });
}
