// The only differences allowed between a bmjit transcript and a QEMU reference transcript of the same image and
// commands: lines that describe the machine (memory map, CPU model, firmware tables, PCI devices), not the guest.
// tests/guest/qemu-transcripts/README.md lists the same lines. Each rule says why it differs.

export interface LineRule {
  why: string;
  /** A line matching this is rewritten with `to` (String.replace syntax). */
  line: RegExp;
  to: string;
  /** Consecutive lines that rewrite to the same text count as one (lists whose length differs). */
  collapse?: boolean;
}

export const MACHINE_LINES: readonly LineRule[] = [
  { why: 'RAM size from the E820 map (QEMU keeps the top 128 KiB of RAM for its firmware)', line: /^mem: \d+ MiB$/, to: 'mem: <RAM> MiB' },
  { why: 'RAM size in the monitor banner', line: /^(\[cpu: \d+\] {2}\[mem: )\d+( MiB\].*)$/, to: '$1<RAM>$2' },
  { why: 'RAM size in `mem`', line: /^RAM \d+ MiB, free \d+ MiB(; .*)$/, to: 'RAM <RAM> MiB, free <FREE> MiB$1' },
  { why: 'the E820 memory map itself', line: /^ {2}[0-9A-F]{16}-[0-9A-F]{16} [a-zA-Z ]+$/, to: '  <memory map>', collapse: true },
  { why: 'CPU model: CPUID maximum leaves (QEMU qemu64: 0xd / 0x8000000a)', line: /^(sysinfo: CPUID max leaf )0x[0-9a-f]+ \/ 0x[0-9a-f]+(, .*)$/, to: '$1<leaves>$2' },
  { why: 'RAM size in sysinfo', line: /^sysinfo: memory \d+ MiB, free \d+ MiB$/, to: 'sysinfo: memory <RAM> MiB, free <FREE> MiB' },
  { why: 'ACPI HPET table: minimum tick', line: /^(sysinfo: HPET at 0xfed00000, 100000000 Hz, 3 comparators, minimum tick )\d+$/, to: '$1<tick>' },
  { why: 'ACPI MADT interrupt source overrides', line: /^sysinfo: \d+ interrupt source overrides: .*$/, to: 'sysinfo: <interrupt source overrides>' },
  { why: 'ACPI RSDP placement and FADT IA-PC boot flags', line: /^(sysinfo: ACPI RSDP at )0x[0-9a-f]+(, IA-PC boot flags )0x[0-9a-f]+(, .*)$/, to: '$1<rsdp>$2<flags>$3' },
  { why: 'the PCI functions of the machine', line: /^ {2}[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [0-9a-f]{4}:[0-9a-f]{4} class [0-9a-f]{6} .*$/, to: '  <PCI function>', collapse: true },
  { why: 'the number of PCI functions', line: /^sysinfo: \d+ PCI functions$/, to: 'sysinfo: <n> PCI functions' },
];

/** Only when the two transcripts came through different entries: Multiboot ('B') or the 64-bit entry ('U'). */
export const BOOT_MODE_LINE: LineRule = { why: 'boot path: Multiboot (B) or 64-bit entry (U)', line: /^(.*boot mode )[BU]$/, to: '$1<entry>' };

/** Rewrite machine-dependent lines; `hits` counts the lines each rule matched. */
export function normalize(text: string, rules: readonly LineRule[], hits?: Map<LineRule, number>): string {
  const out: string[] = [];
  let last: LineRule | undefined;
  for (const line of text.split('\n')) {
    const rule = rules.find((r) => r.line.test(line));
    if (rule === undefined) {
      out.push(line);
      last = undefined;
      continue;
    }
    hits?.set(rule, (hits.get(rule) ?? 0) + 1);
    if (!(rule.collapse === true && last === rule)) out.push(line.replace(rule.line, rule.to));
    last = rule;
  }
  return out.join('\n');
}
