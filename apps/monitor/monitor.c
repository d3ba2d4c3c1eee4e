/* bmjit monitor: the payload the kernel starts on the BSP at PAYLOAD_ADDRESS. A line-oriented shell on the kernel's
   input/output (serial): prompt "> ", echo, backspace; commands in HELP below; numbers are hexadecimal. */
#include "bmlib.h"

#define LINE_MAX 128
#define MAX_ARGS 8
#define MONITOR_VERSION "0.1"

u64 run_program(u64 entry);

/* In .data, not .bss: survives the restart the kernel performs after an exception on the BSP. */
static int started __attribute__((section(".data"))) = 0;

static const char HELP[] =
	"commands (numbers are hexadecimal, 0x optional):\n"
	"  help               this list\n"
	"  ver                versions\n"
	"  cores              cores and their SMP state\n"
	"  mem                memory size and map\n"
	"  peek ADDR [SIZE]   read 1, 2, 4 or 8 (default) bytes\n"
	"  poke ADDR VAL [SIZE]  write 1, 2, 4 or 8 (default) bytes\n"
	"  dump ADDR [LEN]    hex dump (default 0x100 bytes)\n"
	"  dir                built-in programs\n"
	"  run NAME           copy NAME to 0xFFFF800000000000 and call it\n"
	"  exit [CODE]        write CODE to the isa-debug-exit port 0xF4 (ends QEMU/bmjit test runs)\n"
	"  poweroff           ACPI shutdown (b_system SHUTDOWN)\n"
	"  reboot             reset the machine (b_system REBOOT)\n";

static int getch(void) {
	for (;;) {
		__asm__ volatile("cli");
		u8 c = b_input();
		if (c) {
			__asm__ volatile("sti");
			return c;
		}
		/* STI's shadow covers the HLT: an input interrupt between the check and the HLT still wakes us. */
		__asm__ volatile("sti; hlt");
	}
}

static void echo(char c) { b_output(&c, 1); }

static int read_line(char *line) {
	static int last_cr;
	int n = 0;
	for (;;) {
		int c = getch();
		if (c == '\n' && last_cr) { /* the LF of a CR LF pair */
			last_cr = 0;
			continue;
		}
		last_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			echo('\n');
			line[n] = 0;
			return n;
		}
		if (c == 8 || c == 127) {
			if (n) {
				n--;
				b_output("\b \b", 3);
			}
			continue;
		}
		if (c >= 32 && c < 127 && n < LINE_MAX - 1) {
			line[n++] = (char)c;
			echo((char)c);
		}
	}
}

static int split(char *line, char **argv) {
	int argc = 0;
	while (*line && argc < MAX_ARGS) {
		while (*line == ' ') *line++ = 0;
		if (!*line) break;
		argv[argc++] = line;
		while (*line && *line != ' ') line++;
	}
	return argc;
}

/* Hexadecimal with an optional 0x prefix; returns 0 on a malformed number. */
static int parse_hex(const char *s, u64 *out) {
	u64 v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
	if (!*s || strlen(s) > 16) return 0;
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9') d = *s - '0';
		else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
		else return 0;
		v = v << 4 | (u64)d;
	}
	*out = v;
	return 1;
}

static int arg_hex(const char *cmd, const char *s, u64 *out) {
	if (parse_hex(s, out)) return 1;
	bm_printf("%s: bad number '%s'\n", cmd, s);
	return 0;
}

static int arg_size(const char *cmd, int argc, char **argv, int index, u64 *size) {
	*size = 8;
	if (argc <= index) return 1;
	if (!arg_hex(cmd, argv[index], size)) return 0;
	if (*size == 1 || *size == 2 || *size == 4 || *size == 8) return 1;
	bm_printf("%s: size must be 1, 2, 4 or 8\n", cmd);
	return 0;
}

static void banner(void) {
	u64 cores = b_system(SMP_NUMCORES, 0, 0);
	u64 net = b_system(NET_STATUS, 0, 0);
	bm_printf("\n[cpu: %u]  [mem: %u MiB]  [net: ", cores, (u64)read32(INFO_RAM_MIB));
	if (net)
		bm_printf("%02x:%02x:%02x:%02x:%02x:%02x]\n", net & 0xFF, net >> 8 & 0xFF, net >> 16 & 0xFF, net >> 24 & 0xFF,
			  net >> 32 & 0xFF, net >> 40 & 0xFF);
	else
		print("none]\n");
	print("bmjit monitor " MONITOR_VERSION ": type 'help' for commands\n");
}

static void cmd_ver(void) {
	char sig[10];
	memcpy(sig, (const void *)(KERNEL_ADDRESS + KERNEL_SIGNATURE_OFFSET), 9);
	sig[9] = 0;
	bm_printf("bmjit monitor %s\nkernel: signature %s, call table at 0x%X, boot mode %c\n", MONITOR_VERSION, sig,
		  (u64)CALL_B_INPUT, (u64)read8(INFO_BOOT_MODE));
}

static void cmd_cores(void) {
	u64 n = read16(INFO_CORES_ACTIVE);
	u64 me = b_system(SMP_ID, 0, 0);
	bm_printf("%u active of %u detected; BSP APIC ID %u; this is core %u\n", n, (u64)read16(INFO_CORES_DETECTED),
		  (u64)read32(INFO_BSP_ID), me);
	for (u64 i = 0; i < n && i < INFO_APIC_IDS_MAX; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		u64 e = id < SMP_TABLE_ENTRIES ? read64(SMP_TABLE_ADDRESS + id * 8) : 0;
		const char *state = !(e & SMP_FLAG_PRESENT) ? "absent"
				    : (e & SMP_FLAG_ACTIVE)    ? "busy"
				    : (e & ~(u64)SMP_FLAGS_MASK) ? "queued"
								 : "idle";
		bm_printf("  core %u: %s\n", id, state);
	}
}

static void cmd_mem(void) {
	static const char *types[] = { "?", "usable", "reserved", "ACPI data", "ACPI NVS", "bad" };
	bm_printf("RAM %u MiB, free %u MiB; programs run at 0x%X (physical 0x%X)\n", (u64)read32(INFO_RAM_MIB),
		  b_system(FREE_MEMORY, 0, 0), (u64)PROGRAM_ADDRESS, (u64)PROGRAM_PHYS_ADDRESS);
	u64 n = read16(INFO_MEMMAP_COUNT);
	for (u64 i = 0; i < n && i < MEMMAP_MAX_RECORDS; i++) {
		u64 rec = MEMMAP_ADDRESS + i * MEMMAP_RECORD_SIZE;
		u64 base = read64(rec), len = read64(rec + 8), type = read32(rec + 16);
		bm_printf("  %016X-%016X %s\n", base, base + len - 1, type < 6 ? types[type] : "other");
	}
}

static void show_value(u64 addr, u64 v, u64 size) {
	char digits[17];
	for (u64 i = 0; i < size * 2; i++) digits[i] = "0123456789ABCDEF"[v >> (4 * (size * 2 - 1 - i)) & 0xF];
	digits[size * 2] = 0;
	bm_printf("%016X: %s\n", addr, digits);
}

static void cmd_peek(int argc, char **argv) {
	u64 addr, size;
	if (argc < 2) {
		print("usage: peek ADDR [SIZE]\n");
		return;
	}
	if (!arg_hex("peek", argv[1], &addr) || !arg_size("peek", argc, argv, 2, &size)) return;
	u64 v = size == 1 ? read8(addr) : size == 2 ? read16(addr) : size == 4 ? read32(addr) : read64(addr);
	show_value(addr, v, size);
}

static void cmd_poke(int argc, char **argv) {
	u64 addr, val, size;
	if (argc < 3) {
		print("usage: poke ADDR VAL [SIZE]\n");
		return;
	}
	if (!arg_hex("poke", argv[1], &addr) || !arg_hex("poke", argv[2], &val) || !arg_size("poke", argc, argv, 3, &size))
		return;
	switch (size) {
	case 1: *(volatile u8 *)addr = (u8)val; break;
	case 2: *(volatile u16 *)addr = (u16)val; break;
	case 4: *(volatile u32 *)addr = (u32)val; break;
	default: *(volatile u64 *)addr = val; break;
	}
	u64 v = size == 1 ? read8(addr) : size == 2 ? read16(addr) : size == 4 ? read32(addr) : read64(addr);
	show_value(addr, v, size);
}

static void cmd_dump(int argc, char **argv) {
	u64 addr, len = 0x100;
	if (argc < 2) {
		print("usage: dump ADDR [LEN]\n");
		return;
	}
	if (!arg_hex("dump", argv[1], &addr)) return;
	if (argc > 2 && !arg_hex("dump", argv[2], &len)) return;
	b_system(DUMP_MEM, addr, len);
}

/* The program bundle: BMFS-Lite directory at BUNDLE_ADDRESS. */
static u64 bundle_record(u64 i) { return BUNDLE_ADDRESS + i * BMFS_RECORD_SIZE; }

static int bundle_valid(u64 rec) {
	u8 first = read8(rec);
	return first != 0 && first != 1;
}

static void cmd_dir(void) {
	u64 count = 0, total = 0;
	if (read32(INFO_BUNDLE_SIZE) == 0) {
		print("dir: no program bundle\n");
		return;
	}
	for (u64 i = 0; i < BMFS_DIR_ENTRIES; i++) {
		u64 rec = bundle_record(i);
		if (read8(rec) == 0) break;
		if (!bundle_valid(rec)) continue;
		u64 size = read64(rec + BMFS_REC_SIZE);
		bm_printf("  %-16s %6u bytes\n", (const char *)rec, size);
		count++;
		total += size;
	}
	bm_printf("%u programs, %u bytes\n", count, total);
}

static void cmd_run(int argc, char **argv) {
	if (argc < 2) {
		print("usage: run NAME\n");
		return;
	}
	for (u64 i = 0; i < BMFS_DIR_ENTRIES && read32(INFO_BUNDLE_SIZE); i++) {
		u64 rec = bundle_record(i);
		if (read8(rec) == 0) break;
		if (!bundle_valid(rec) || strncmp((const char *)rec, argv[1], BMFS_NAME_SIZE) != 0) continue;
		u64 start = read64(rec + BMFS_REC_START), size = read64(rec + BMFS_REC_SIZE);
		u64 room = ((u64)b_system(FREE_MEMORY, 0, 0)) << 20;
		if (size > room) {
			bm_printf("run: %s is larger than program memory\n", argv[1]);
			return;
		}
		memcpy((void *)PROGRAM_ADDRESS, (const void *)(BUNDLE_ADDRESS + start * BMFS_BLOCK_SIZE), size);
		run_program(PROGRAM_ADDRESS);
		return;
	}
	bm_printf("run: no program named '%s' (try dir)\n", argv[1]);
}

static void cmd_exit(int argc, char **argv) {
	u64 code = 0;
	if (argc > 1 && !arg_hex("exit", argv[1], &code)) return;
	__asm__ volatile("outl %0, %1" : : "a"((u32)code), "Nd"((u16)DEBUG_EXIT_PORT));
	print("exit: the machine has no isa-debug-exit device at 0xF4\n");
}

static void execute(char *line) {
	char *argv[MAX_ARGS];
	int argc = split(line, argv);
	if (argc == 0) return;
	const char *c = argv[0];
	if (!strcmp(c, "help")) print(HELP);
	else if (!strcmp(c, "ver")) cmd_ver();
	else if (!strcmp(c, "cores")) cmd_cores();
	else if (!strcmp(c, "mem")) cmd_mem();
	else if (!strcmp(c, "peek")) cmd_peek(argc, argv);
	else if (!strcmp(c, "poke")) cmd_poke(argc, argv);
	else if (!strcmp(c, "dump")) cmd_dump(argc, argv);
	else if (!strcmp(c, "dir")) cmd_dir();
	else if (!strcmp(c, "run")) cmd_run(argc, argv);
	else if (!strcmp(c, "exit")) cmd_exit(argc, argv);
	else if (!strcmp(c, "poweroff")) b_system(SHUTDOWN, 0, 0);
	else if (!strcmp(c, "reboot")) b_system(REBOOT, 0, 0);
	else bm_printf("unknown command '%s' (type help)\n", c);
}

int main(void) {
	char line[LINE_MAX];
	if (!started) {
		started = 1;
		banner();
	} else {
		print("monitor restarted\n");
	}
	for (;;) {
		print("> ");
		read_line(line);
		execute(line);
	}
}
