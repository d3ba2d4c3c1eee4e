// Node startup snapshot (node --build-snapshot, v8.startupSnapshot): stand-ins for the two host objects that modules
// of the bundled CLI create while they load and that V8 cannot serialize (they hold native handles).
import { startupSnapshot } from 'node:v8';

const stdout = Object.getOwnPropertyDescriptor(process, 'stdout');
const RealSegmenter = Intl.Segmenter;

/** Creates the real Intl.Segmenter on first use, i.e. after the snapshot is deserialized (string-width makes one at load). */
class LazySegmenter {
  private real: Intl.Segmenter | undefined;
  constructor(private readonly args: ConstructorParameters<typeof Intl.Segmenter>) {}
  private get(): Intl.Segmenter {
    return (this.real ??= new RealSegmenter(...this.args));
  }
  segment(input: string): Intl.Segments {
    return this.get().segment(input);
  }
  resolvedOptions(): Intl.ResolvedSegmenterOptions {
    return this.get().resolvedOptions();
  }
}

if (startupSnapshot.isBuildingSnapshot()) {
  // yargs reads process.stdout.columns at load (a default for .wrap(), which bmjit sets itself); touching
  // process.stdout would open the builder's stdout handle.
  Object.defineProperty(process, 'stdout', { configurable: true, enumerable: stdout?.enumerable, value: { columns: undefined } });
  (Intl as { Segmenter: unknown }).Segmenter = function Segmenter(...args: ConstructorParameters<typeof Intl.Segmenter>) {
    return new LazySegmenter(args);
  };
}

/** Put the real objects back once every module is loaded. */
export function restoreSnapshotShims(): void {
  if (!startupSnapshot.isBuildingSnapshot()) return;
  if (stdout !== undefined) Object.defineProperty(process, 'stdout', stdout);
  (Intl as { Segmenter: unknown }).Segmenter = RealSegmenter;
}
