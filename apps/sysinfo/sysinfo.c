/* sysinfo: what the kernel and the loader's information table say about the machine, and the PCI devices found
   through b_system BUS_READ (bus 0 and every bus behind a PCI-to-PCI bridge). */
#include "bmlib.h"

static u32 bus_read(u64 bus, u64 dev, u64 fn, u64 reg) {
	return (u32)b_system(BUS_READ, 0, bus << BUS_BUS_SHIFT | (dev << 3 | fn) << BUS_DEVFN_SHIFT | reg);
}

static const char *class_name(u32 cls) {
	switch (cls >> 8) {
	case 0x0100: return "SCSI controller";
	case 0x0101: return "IDE controller";
	case 0x0106: return "SATA controller";
	case 0x0108: return "NVMe controller";
	case 0x0200: return "Ethernet controller";
	case 0x0300: return "VGA controller";
	case 0x0600: return "host bridge";
	case 0x0601: return "ISA bridge";
	case 0x0604: return "PCI bridge";
	case 0x0C03: return "USB controller";
	case 0x0C05: return "SMBus controller";
	}
	switch (cls >> 16) {
	case 0x01: return "storage";
	case 0x02: return "network";
	case 0x03: return "display";
	case 0x06: return "bridge";
	case 0x0C: return "serial bus";
	}
	return "device";
}

static void pci_scan(void) {
	u8 pending[256];
	u8 seen[256];
	int head = 0, tail = 0;
	u64 count = 0;
	memset(seen, 0, sizeof seen);
	pending[tail++] = 0;
	seen[0] = 1;
	while (head < tail) {
		u64 bus = pending[head++];
		for (u64 dev = 0; dev < 32; dev++) {
			u64 fns = 1;
			for (u64 fn = 0; fn < fns; fn++) {
				u32 id = bus_read(bus, dev, fn, 0);
				if ((id & 0xFFFF) == 0xFFFF) continue;
				u32 cls = bus_read(bus, dev, fn, 2) >> 8;
				u32 hdr = bus_read(bus, dev, fn, 3) >> 16 & 0xFF;
				if (fn == 0 && (hdr & 0x80)) fns = 8;
				bm_printf("  %02x:%02x.%u %04x:%04x class %06x %s\n", bus, dev, fn, (u64)(id & 0xFFFF), (u64)(id >> 16),
					  (u64)cls, class_name(cls));
				count++;
				if ((hdr & 0x7F) == 1) { /* bridge: scan its secondary bus */
					u64 secondary = bus_read(bus, dev, fn, 6) >> 8 & 0xFF;
					if (secondary && !seen[secondary] && tail < 256) {
						seen[secondary] = 1;
						pending[tail++] = (u8)secondary;
					}
				}
			}
		}
	}
	bm_printf("sysinfo: %u PCI functions\n", count);
}

int main(void) {
	u64 cores = b_system(SMP_NUMCORES, 0, 0);
	bm_printf("sysinfo: %u cores, running on APIC ID %u (BSP %u), APIC IDs:", cores, b_system(SMP_ID, 0, 0),
		  (u64)read32(INFO_BSP_ID));
	for (u64 i = 0; i < read16(INFO_CORES_ACTIVE) && i < INFO_APIC_IDS_MAX; i++) bm_printf(" %u", (u64)read32(INFO_APIC_IDS + i * 4));
	bm_printf("\nsysinfo: CPUID max leaf 0x%x / 0x%x, %u-bit physical and %u-bit virtual addresses\n",
		  (u64)read32(INFO_CPUID_MAX_STD), (u64)read32(INFO_CPUID_MAX_EXT), (u64)read8(INFO_PHYS_BITS),
		  (u64)read8(INFO_VIRT_BITS));
	bm_printf("sysinfo: memory %u MiB, free %u MiB\n", (u64)read32(INFO_RAM_MIB), b_system(FREE_MEMORY, 0, 0));
	bm_printf("sysinfo: HPET at 0x%x, %u Hz, %u comparators, minimum tick %u\n", read64(INFO_HPET_BASE),
		  (u64)read32(INFO_HPET_FREQ), (u64)read8(INFO_HPET_TIMERS), (u64)read16(INFO_HPET_MIN_TICK));
	bm_printf("sysinfo: local APIC at 0x%x, %u I/O APIC(s):", read64(INFO_LAPIC_BASE), (u64)read8(INFO_IOAPIC_COUNT));
	for (u64 i = 0; i < read8(INFO_IOAPIC_COUNT); i++) {
		u64 rec = INFO_IOAPICS + i * 16;
		bm_printf(" ID %u at 0x%x GSI %u", (u64)read32(rec + IOAPIC_REC_ID), (u64)read32(rec + IOAPIC_REC_ADDRESS),
			  (u64)read32(rec + IOAPIC_REC_GSI_BASE));
	}
	bm_printf("\nsysinfo: %u interrupt source overrides:", (u64)read8(INFO_ISO_COUNT));
	for (u64 i = 0; i < read8(INFO_ISO_COUNT); i++) {
		u64 rec = INFO_ISOS + i * 8;
		bm_printf(" IRQ%u->GSI%u", (u64)read8(rec + ISO_REC_SOURCE), (u64)read32(rec + ISO_REC_GSI));
	}
	bm_printf("\nsysinfo: ACPI RSDP at 0x%x, IA-PC boot flags 0x%x, S5 %s, reset register %s\n", read64(INFO_ACPI),
		  (u64)read16(INFO_BOOT_ARCH), read8(INFO_S5_VALID) ? "found" : "missing",
		  read8(INFO_RESET_VALID) ? "found" : "missing");
	for (u64 i = 0; i < read16(INFO_PCIE_COUNT); i++) {
		u64 rec = INFO_PCIE + i * 16;
		bm_printf("sysinfo: PCIe segment %u buses %u-%u ECAM at 0x%x\n", (u64)read16(rec + PCIE_REC_SEGMENT),
			  (u64)read8(rec + PCIE_REC_BUS_START), (u64)read8(rec + PCIE_REC_BUS_END), read64(rec + PCIE_REC_BASE));
	}
	bm_printf("sysinfo: frame buffer %s, network %s, boot mode %c\n", b_system(SCREEN_LFB_GET, 0, 0) ? "present" : "none",
		  b_system(NET_STATUS, 0, 0) ? "present" : "none", (u64)read8(INFO_BOOT_MODE));
	print("sysinfo: PCI devices (BUS_READ):\n");
	pci_scan();
	return 0;
}
