// ABI facts (/work/shared/baremetal-abi.md §1-5): the single source firmware/abi/abi.json, its generated asm/C/TS
// files (no drift), and the values the spec documents.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as abi from '../../machine/abi.js';
// @ts-expect-error plain JavaScript tool module without type declarations
import { drift, generate, loadAbi, OUTPUTS } from '../../tools/gen-abi.mjs';
import { ROOT } from './guest-files.js';

/** Values as printed in the BareMetal interface document (the spec is the oracle, abi.json must agree). */
const SPEC_CALL_TABLE: Record<string, number> = {
  b_input: 0x100010, b_output: 0x100018, b_net_tx: 0x100020, b_net_rx: 0x100028,
  b_nvs_read: 0x100030, b_nvs_write: 0x100038, b_system: 0x100040, b_user: 0x100048,
};
const SPEC_SYSTEM: Record<string, number> = {
  TIMECOUNTER: 0x00, FREE_MEMORY: 0x01, SMP_ID: 0x10, SMP_NUMCORES: 0x11, SMP_SET: 0x12, SMP_GET: 0x13, SMP_LOCK: 0x14,
  SMP_UNLOCK: 0x15, SMP_BUSY: 0x16, TSC: 0x1f, SCREEN_LFB_GET: 0x20, SCREEN_X_GET: 0x21, SCREEN_Y_GET: 0x22,
  SCREEN_PPSL_GET: 0x23, SCREEN_BPP_GET: 0x24, NET_STATUS: 0x30, NET_CONFIG: 0x31, BUS_READ: 0x50, BUS_WRITE: 0x51,
  STDOUT_SET: 0x52, STDOUT_GET: 0x53, CALLBACK_TIMER: 0x60, CALLBACK_NETWORK: 0x61, CALLBACK_KEYBOARD: 0x62,
  DUMP_MEM: 0x70, DUMP_RAX: 0x71, DELAY: 0x72, RESET: 0x7d, REBOOT: 0x7e, SHUTDOWN: 0x7f,
};
const SPEC_INFO: [string, number, number][] = [
  ['INFO_ACPI', 0x5000, 8], ['INFO_BSP_ID', 0x5008, 4], ['INFO_CORES_ACTIVE', 0x5012, 2], ['INFO_CORES_DETECTED', 0x5014, 2],
  ['INFO_PHYS_BITS', 0x5016, 1], ['INFO_VIRT_BITS', 0x5017, 1], ['INFO_CPUID_MAX_STD', 0x5018, 4],
  ['INFO_CPUID_MAX_EXT', 0x501c, 4], ['INFO_RAM_MIB', 0x5020, 4], ['INFO_IOAPIC_COUNT', 0x5030, 1],
  ['INFO_ISO_COUNT', 0x5031, 1], ['INFO_HPET_BASE', 0x5040, 8], ['INFO_HPET_FREQ', 0x5048, 4],
  ['INFO_HPET_MIN_TICK', 0x504c, 2], ['INFO_HPET_TIMERS', 0x504e, 1], ['INFO_TSC_START', 0x5050, 8],
  ['INFO_TSC_END', 0x5058, 8], ['INFO_LAPIC_BASE', 0x5060, 8], ['INFO_FB_BASE', 0x5080, 8], ['INFO_FB_X', 0x5088, 2],
  ['INFO_FB_Y', 0x508a, 2], ['INFO_FB_PPSL', 0x508c, 2], ['INFO_FB_BPP', 0x508e, 2], ['INFO_PCIE_COUNT', 0x5090, 2],
  ['INFO_BOOT_ARCH', 0x5092, 2], ['INFO_1GB_PAGES', 0x50e0, 1], ['INFO_X2APIC', 0x50e1, 1], ['INFO_BOOT_MODE', 0x50e2, 1],
  ['INFO_APIC_IDS', 0x5100, 4], ['INFO_PCIE', 0x5400, 16], ['INFO_IOAPICS', 0x5600, 16], ['INFO_ISOS', 0x5700, 8],
];
const SPEC_MEMORY: [string, number][] = [
  ['IDT_ADDRESS', 0], ['GDT_ADDRESS', 0x1000], ['PML4_ADDRESS', 0x2000], ['PDPT_LOW_ADDRESS', 0x3000],
  ['PDPT_HIGH_ADDRESS', 0x4000], ['INFO_ADDRESS', 0x5000], ['PD_LOW_ADDRESS', 0x10000], ['PD_HIGH_ADDRESS', 0x20000],
  ['KERNEL_ADDRESS', 0x100000], ['PAYLOAD_ADDRESS', 0x1e0000],
];

describe('generated ABI files', () => {
  it('match firmware/abi/abi.json (run node tools/gen-abi.mjs after editing it)', () => {
    expect(drift()).toEqual([]);
  });

  it('machine/abi.ts carries every constant with the JSON value', () => {
    const table = abi as unknown as Record<string, unknown>;
    let n = 0;
    for (const g of loadAbi().groups) {
      for (const c of g.constants) {
        const expected = c.num === undefined ? c.value : c.num > BigInt(Number.MAX_SAFE_INTEGER) ? c.num : Number(c.num);
        expect(table[c.name], c.name).toBe(expected);
        n++;
      }
    }
    expect(n).toBeGreaterThan(150);
  });

  it('the asm include defines every numeric constant once', () => {
    const inc = readFileSync(join(ROOT, OUTPUTS.asm), 'utf8');
    for (const g of loadAbi().groups) {
      for (const c of g.constants) {
        if (c.num === undefined) continue;
        const m = inc.match(new RegExp(`^\\.equ ${c.name}, (0x[0-9A-F]+)`, 'gm'));
        expect(m, c.name).toHaveLength(1);
        expect(BigInt(m![0].split(', ')[1])).toBe(c.num);
      }
    }
  });

  it('rejects a malformed description with a one-line message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bmjit-abi-'));
    mkdirSync(join(dir, 'firmware/abi'), { recursive: true });
    const bad = { groups: [{ name: 'g', constants: [{ name: 'X', value: '1' }, { name: 'X', value: '2' }] }] };
    writeFileSync(join(dir, 'firmware/abi/abi.json'), JSON.stringify(bad));
    expect(() => generate(dir)).toThrow(/duplicate constant X$/);
    writeFileSync(join(dir, 'firmware/abi/abi.json'), '{ "groups": [ { "name": "g", "constants": [ { "name": "lower", "value": "1" } ] } ] }');
    expect(() => generate(dir)).toThrow(/bad constant name/);
    writeFileSync(join(dir, 'firmware/abi/abi.json'), '{ nope');
    expect(() => generate(dir)).toThrow(/^firmware\/abi\/abi\.json: /);
  });
});

describe('ABI values agree with the BareMetal interface document', () => {
  it('call table', () => {
    expect(abi.CALL_TABLE).toEqual(SPEC_CALL_TABLE);
  });

  it('b_system function numbers', () => {
    expect(abi.SYSTEM_FUNCTIONS).toEqual(SPEC_SYSTEM);
  });

  it('information table offsets and sizes', () => {
    for (const [name, address, size] of SPEC_INFO) {
      const f = abi.INFO_FIELDS.find((x) => x.name === name);
      expect(f, name).toBeDefined();
      expect([f!.address, f!.size], name).toEqual([address, size]);
    }
  });

  it('information-table fields do not overlap and stay inside 0x5000-0x57FF', () => {
    const scalar = abi.INFO_FIELDS.filter((f) => f.address < 0x5100).sort((a, b) => a.address - b.address);
    for (let i = 1; i < scalar.length; i++) {
      expect(scalar[i - 1].address + scalar[i - 1].size, `${scalar[i - 1].name} / ${scalar[i].name}`).toBeLessThanOrEqual(scalar[i].address);
    }
    expect(abi.INFO_APIC_IDS + abi.INFO_APIC_IDS_MAX * 4).toBeLessThanOrEqual(abi.INFO_PCIE);
    expect(abi.INFO_PCIE + abi.INFO_PCIE_MAX * 16).toBeLessThanOrEqual(abi.INFO_IOAPICS);
    expect(abi.INFO_IOAPICS + abi.INFO_IOAPICS_MAX * 16).toBeLessThanOrEqual(abi.INFO_ISOS);
    expect(abi.INFO_ISOS + abi.INFO_ISOS_MAX * 8).toBeLessThanOrEqual(0x5800);
  });

  it('memory map and program address', () => {
    const table = abi as unknown as Record<string, unknown>;
    for (const [name, value] of SPEC_MEMORY) expect(table[name], name).toBe(value);
    expect(abi.PROGRAM_ADDRESS).toBe(0xffff800000000000n);
    expect(abi.NVS_SECTOR_SIZE).toBe(4096);
    expect(abi.BMFS_RECORD_SIZE * abi.BMFS_DIR_ENTRIES).toBe(abi.BMFS_DIR_SIZE);
  });

  it('the fixed regions do not overlap', () => {
    const regions: [string, number, number][] = [
      ['kernel', abi.KERNEL_ADDRESS, abi.KERNEL_MAX_SIZE],
      ['SMP table', abi.SMP_TABLE_ADDRESS, abi.SMP_TABLE_ENTRIES * abi.SMP_ENTRY_SIZE],
      ['payload', abi.PAYLOAD_ADDRESS, abi.PAYLOAD_MAX_SIZE],
      ['stacks', abi.STACK_BASE, abi.MAX_CORES * abi.STACK_SIZE],
      ['bundle', abi.BUNDLE_ADDRESS, abi.BUNDLE_MAX_SIZE],
      ['program memory', abi.PROGRAM_PHYS_ADDRESS, 1],
    ].sort((a, b) => (a[1] as number) - (b[1] as number)) as [string, number, number][];
    for (let i = 1; i < regions.length; i++) {
      expect(regions[i - 1][1] + regions[i - 1][2], `${regions[i - 1][0]} / ${regions[i][0]}`).toBeLessThanOrEqual(regions[i][1]);
    }
    expect(abi.PROGRAM_PHYS_ADDRESS).toBe(abi.SYSTEM_RESERVED_MIB << 20);
  });
});
