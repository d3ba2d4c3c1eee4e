// Plain-text table and statistics helpers for the benchmark report (fixed-width columns, Markdown-compatible).
export function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return v.toFixed(digits);
}

/** Geometric mean of the defined, positive values; undefined when there are none. */
export function geomean(xs: Array<number | undefined>): number | undefined {
  const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
  if (ok.length === 0) return undefined;
  return Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length);
}

/** A Markdown pipe table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  const sep = '|' + w.map((x, i) => (i === 0 ? '-'.repeat(x + 2) : '-'.repeat(x + 1) + ':')).join('|') + '|';
  return [line(header), sep, ...rows.map(line)].join('\n');
}
