/* abitest: conformance of the kernel API (/work/shared/baremetal-abi.md §1-4). Calls every call-table entry and
   every b_system function, checks results against independent facts (information table, local APIC and ECAM read
   directly, HPET-timed delays, captured output) and that every register except the documented outputs survives.
   One line per check, then "abitest: N passed, M failed, K skipped". */
#include "bmlib.h"

enum { RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14, R15, NREGS };
struct regs {
	u64 r[NREGS];
	u64 rflags;
	u64 rsp_changed;
};
static const char *const REG_NAMES[NREGS] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
					       "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };

void abi_call(u64 entry, const struct regs *in, struct regs *out);
void capture_output(void);
extern char capture_buf[4096];
extern u64 capture_len;

static u64 passed, failed, skipped;
static char detail[256];

static void check(int ok, const char *name) {
	if (ok) {
		passed++;
		bm_printf("abitest: ok   %s\n", name);
	} else {
		failed++;
		bm_printf("abitest: FAIL %s%s%s\n", name, detail[0] ? ": " : "", detail);
	}
	detail[0] = 0;
}

static void skip(const char *name, const char *why) {
	skipped++;
	bm_printf("abitest: skip %s (%s)\n", name, why);
}

static u64 entry_of(u64 slot) { return read64(slot); }

/* Distinct, recognisable values for every register. */
static void pattern(struct regs *in) {
	for (int i = 0; i < NREGS; i++) in->r[i] = 0xA5A5000000000000ULL | (u64)(i + 1) << 32 | (u64)(0x1000 + i);
}

/* Calls the entry behind a call-table slot; returns 1 when every register outside `outputs` (bit per register)
   came back unchanged, RSP is balanced and DF is clear. Puts the differences into `detail`. */
static int call_checked(u64 slot, const struct regs *in, struct regs *out, u32 outputs) {
	abi_call(entry_of(slot), in, out);
	int ok = 1;
	size_t n = 0;
	for (int i = 0; i < NREGS; i++) {
		if (outputs & (1u << i)) continue;
		if (out->r[i] != in->r[i]) {
			ok = 0;
			if (n < sizeof detail - 40) n += bm_snprintf(detail + n, sizeof detail - n, "%s changed ", REG_NAMES[i]);
		}
	}
	if (out->rsp_changed) {
		ok = 0;
		n += bm_snprintf(detail + n, sizeof detail - n, "rsp moved by %d ", (i64)out->rsp_changed);
	}
	if (out->rflags & 0x400) {
		ok = 0;
		bm_snprintf(detail + n, sizeof detail - n, "DF left set");
	}
	return ok;
}

/* b_system(fn, a, b) with the register check; the result is out->r[RAX]. */
static int sys_checked(u64 fn, u64 a, u64 b, u64 *result) {
	struct regs in, out;
	pattern(&in);
	in.r[RCX] = fn;
	in.r[RAX] = a;
	in.r[RDX] = b;
	int ok = call_checked(CALL_B_SYSTEM, &in, &out, 1u << RAX);
	*result = out.r[RAX];
	return ok;
}

static u64 hpet_freq(void) { return read32(INFO_HPET_FREQ); }
static u64 now(void) { return b_system(TIMECOUNTER, 0, 0); }

static int wait_idle(u64 ms) {
	u64 deadline = now() + ms * hpet_freq() / 1000;
	while (b_system(SMP_BUSY, 0, 0)) {
		if (now() > deadline) return 0;
		cpu_pause();
	}
	return 1;
}

/* ---- work items for the APs (16-byte aligned entry points) ---- */
static volatile u64 seen_id[MAX_CORES], seen_entry[MAX_CORES], ran[MAX_CORES];
static volatile u64 release;

__attribute__((aligned(16))) static void work_report(void) {
	u64 id = b_system(SMP_ID, 0, 0) & (MAX_CORES - 1);
	seen_entry[id] = b_system(SMP_GET, 0, 0);
	seen_id[id] = b_system(SMP_ID, 0, 0);
	ran[id]++;
}

__attribute__((aligned(16))) static void work_wait_release(void) {
	while (!release) cpu_pause();
}

__attribute__((aligned(16))) static void work_forever(void) {
	for (;;) cpu_pause();
}

__attribute__((aligned(16))) static void work_fault(void) { __asm__ volatile("ud2"); }

static volatile u64 ticks;
static void on_tick(void) { ticks++; }

/* ---- the checks ---- */

static void test_call_table(void) {
	int ok = 1;
	for (u64 slot = CALL_B_INPUT; slot <= CALL_B_USER; slot += 8) {
		u64 e = entry_of(slot);
		if (e < KERNEL_ADDRESS || e >= KERNEL_ADDRESS + KERNEL_MAX_SIZE) {
			ok = 0;
			bm_snprintf(detail, sizeof detail, "slot 0x%x points to 0x%x", slot, e);
		}
	}
	check(ok, "every call-table slot points into the kernel");
	check(memcmp((const void *)(KERNEL_ADDRESS + KERNEL_SIGNATURE_OFFSET), KERNEL_SIGNATURE, 9) == 0,
	      "kernel signature BAREMETAL after the jump");
}

static void test_io(void) {
	struct regs in, out;
	static const char line[] = "abitest: (b_output wrote this line)\n";
	static u8 buf[4096];

	pattern(&in);
	int ok = call_checked(CALL_B_INPUT, &in, &out, 1u << RAX);
	if (ok && (u8)out.r[RAX] != 0) bm_snprintf(detail, sizeof detail, "AL = 0x%x with no input pending", out.r[RAX] & 0xFF);
	check(ok && (u8)out.r[RAX] == 0, "b_input returns 0 without input, preserves the rest");

	pattern(&in);
	in.r[RSI] = (u64)line;
	in.r[RCX] = sizeof line - 1;
	check(call_checked(CALL_B_OUTPUT, &in, &out, 0), "b_output preserves every register");

	pattern(&in);
	memset(buf, 0x5A, 64);
	in.r[RSI] = (u64)buf;
	in.r[RCX] = 64;
	in.r[RDX] = 0;
	check(call_checked(CALL_B_NET_TX, &in, &out, 0), "b_net_tx preserves every register");

	pattern(&in);
	memset(buf, 0xC3, sizeof buf);
	in.r[RDI] = (u64)buf;
	in.r[RDX] = 0;
	ok = call_checked(CALL_B_NET_RX, &in, &out, 1u << RCX);
	check(ok && out.r[RCX] == 0 && buf[0] == 0xC3, "b_net_rx returns length 0 (no network), preserves the rest");

	pattern(&in);
	in.r[RAX] = 0;
	in.r[RCX] = 1;
	in.r[RDX] = 0;
	in.r[RDI] = (u64)buf;
	ok = call_checked(CALL_B_NVS_READ, &in, &out, 1u << RCX);
	check(ok && out.r[RCX] == 0 && buf[0] == 0xC3 && buf[4095] == 0xC3, "b_nvs_read reads 0 sectors (no device), buffer untouched");

	pattern(&in);
	in.r[RAX] = 0;
	in.r[RCX] = 2;
	in.r[RDX] = 0;
	in.r[RSI] = (u64)buf;
	ok = call_checked(CALL_B_NVS_WRITE, &in, &out, 1u << RCX);
	check(ok && out.r[RCX] == 0, "b_nvs_write writes 0 sectors (no device)");

	pattern(&in);
	check(call_checked(CALL_B_USER, &in, &out, 0), "b_user (default hook) preserves every register");
}

static void test_basic(void) {
	u64 r, t1, t2;
	int ok = sys_checked(TIMECOUNTER, 0, 0, &t1);
	for (volatile int i = 0; i < 10000; i++) {
	}
	ok &= sys_checked(TIMECOUNTER, 0, 0, &t2);
	check(ok && t1 > 0 && t2 > t1, "TIMECOUNTER advances");

	ok = sys_checked(FREE_MEMORY, 0, 0, &r);
	bm_snprintf(detail, sizeof detail, "%u MiB, RAM %u MiB", r, (u64)read32(INFO_RAM_MIB));
	check(ok && r == read32(INFO_RAM_MIB) - SYSTEM_RESERVED_MIB, "FREE_MEMORY is RAM minus the 4 MiB system area");

	ok = sys_checked(TSC, 0, 0, &t1);
	ok &= sys_checked(TSC, 0, 0, &t2);
	check(ok && t2 > t1, "TSC advances");

	u64 d0 = now();
	ok = sys_checked(DELAY, 5000, 0, &r);
	u64 elapsed = now() - d0, need = 5000 * hpet_freq() / 1000000;
	bm_snprintf(detail, sizeof detail, "%u ticks, need %u", elapsed, need);
	check(ok && elapsed >= need, "DELAY 5000 us waits at least 5 ms of HPET time");

	ok = sys_checked(0x7C, 1, 2, &r);
	int ok2 = sys_checked(0x1234, 1, 2, &r) && r == 0;
	check(ok && ok2, "unassigned b_system numbers return 0");
}

static void test_smp_local(void) {
	u64 r;
	u64 lapic_id = read32(read64(INFO_LAPIC_BASE) + 0x20) >> 24;
	int ok = sys_checked(SMP_ID, 0, 0, &r);
	bm_snprintf(detail, sizeof detail, "SMP_ID %u, local APIC ID register %u", r, lapic_id);
	check(ok && r == lapic_id, "SMP_ID matches the local APIC ID register");

	ok = sys_checked(SMP_NUMCORES, 0, 0, &r);
	check(ok && r == read16(INFO_CORES_ACTIVE), "SMP_NUMCORES matches the information table");

	ok = sys_checked(SMP_GET, 0, 0, &r);
	bm_snprintf(detail, sizeof detail, "entry 0x%x", r);
	check(ok && r == (SMP_FLAG_PRESENT | SMP_FLAG_ACTIVE), "SMP_GET on the BSP: present and active, no code queued");

	static volatile u16 lock_word;
	u64 addr = (u64)&lock_word;
	struct regs in, out;
	pattern(&in);
	in.r[RCX] = SMP_LOCK;
	in.r[RAX] = addr;
	ok = call_checked(CALL_B_SYSTEM, &in, &out, 0);
	int held = lock_word & 1;
	pattern(&in);
	in.r[RCX] = SMP_UNLOCK;
	in.r[RAX] = addr;
	ok &= call_checked(CALL_B_SYSTEM, &in, &out, 0);
	check(ok && held && !(lock_word & 1), "SMP_LOCK sets and SMP_UNLOCK clears bit 0, registers preserved");

	ok = sys_checked(SMP_BUSY, 0, 0, &r);
	check(ok && r == 0, "SMP_BUSY is 0 while the other cores idle");

	/* Aimed at this very core, which exists: only the address makes these invalid. */
	ok = sys_checked(SMP_SET, (u64)work_report + 8, lapic_id, &r);
	check(ok && r == 0, "SMP_SET refuses a code address that is not 16-byte aligned");
	ok = sys_checked(SMP_SET, 0, lapic_id, &r);
	check(ok && r == 0, "SMP_SET refuses address 0");
	ok = sys_checked(SMP_SET, (u64)work_report, 200, &r);
	check(ok && r == 0, "SMP_SET refuses an APIC ID with no core");
}

static void test_smp_remote(u64 me) {
	u64 n = read16(INFO_CORES_ACTIVE), aps = 0, first_ap = 0, r;
	for (u64 i = 0; i < n; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id != me) {
			if (!aps) first_ap = id;
			aps++;
		}
	}
	if (!aps) {
		skip("SMP_SET runs work on every AP", "one core");
		skip("SMP_BUSY sees a running AP", "one core");
		skip("RESET returns busy APs to idle", "one core");
		skip("an exception on an AP sends it back to idle", "one core");
		return;
	}

	int ok = 1;
	for (u64 i = 0; i < n; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id == me) continue;
		ok &= sys_checked(SMP_SET, (u64)work_report, id, &r) && r == (u64)work_report;
	}
	ok &= wait_idle(1000);
	for (u64 i = 0; i < n; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id == me) continue;
		if (ran[id] != 1 || seen_id[id] != id || seen_entry[id] != (SMP_FLAG_PRESENT | SMP_FLAG_ACTIVE)) {
			ok = 0;
			bm_snprintf(detail, sizeof detail, "core %u: ran %u, SMP_ID %u, SMP_GET 0x%x", id, ran[id], seen_id[id],
				    seen_entry[id]);
		}
	}
	check(ok, "SMP_SET runs work on every AP (SMP_ID right, SMP_GET present+active there)");

	release = 0;
	ok = b_system(SMP_SET, (u64)work_wait_release, first_ap) != 0;
	u64 deadline = now() + hpet_freq() / 10;
	while (!(read64(SMP_TABLE_ADDRESS + first_ap * 8) & SMP_FLAG_ACTIVE) && now() < deadline) cpu_pause();
	int busy_while = sys_checked(SMP_BUSY, 0, 0, &r) && r == 1;
	release = 1;
	ok &= wait_idle(1000);
	check(ok && busy_while, "SMP_BUSY is 1 while an AP runs work, 0 after");

	for (u64 i = 0; i < n; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id != me) b_system(SMP_SET, (u64)work_forever, id);
	}
	deadline = now() + hpet_freq() / 10;
	while (!b_system(SMP_BUSY, 0, 0) && now() < deadline) cpu_pause();
	int was_busy = b_system(SMP_BUSY, 0, 0) == 1;
	ok = sys_checked(RESET, 0, 0, &r);
	int idle_after = b_system(SMP_BUSY, 0, 0) == 0;
	memset((void *)ran, 0, sizeof ran);
	for (u64 i = 0; i < n; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id != me) b_system(SMP_SET, (u64)work_report, id);
	}
	int usable = wait_idle(1000);
	for (u64 i = 0; i < n; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id != me && ran[id] != 1) usable = 0;
	}
	bm_snprintf(detail, sizeof detail, "busy before %d, idle after %d, cores usable again %d", was_busy, idle_after, usable);
	check(ok && was_busy && idle_after && usable, "RESET returns busy APs to idle, and they take new work");

	ran[first_ap] = 0;
	b_system(SMP_SET, (u64)work_fault, first_ap);
	int back = wait_idle(1000);
	u64 entry = read64(SMP_TABLE_ADDRESS + first_ap * 8);
	b_system(SMP_SET, (u64)work_report, first_ap);
	back &= wait_idle(1000);
	bm_snprintf(detail, sizeof detail, "entry after the fault 0x%x, later work ran %u time(s)", entry, ran[first_ap]);
	check(back && entry == SMP_FLAG_PRESENT && ran[first_ap] == 1, "an exception on an AP sends it back to idle (report above)");
}

static void test_devices(void) {
	u64 r;
	int ok = 1;
	u64 fns[] = { SCREEN_LFB_GET, SCREEN_X_GET, SCREEN_Y_GET, SCREEN_PPSL_GET, SCREEN_BPP_GET };
	for (int i = 0; i < 5; i++) ok &= sys_checked(fns[i], 0, 0, &r) && r == 0;
	check(ok && read64(INFO_FB_BASE) == 0, "SCREEN_* return 0 (no frame buffer)");

	ok = sys_checked(NET_STATUS, 0, 0, &r) && r == 0;
	ok &= sys_checked(NET_CONFIG, 0x300000, 0, &r);
	check(ok, "NET_STATUS is 0 (no network), NET_CONFIG returns");

	u64 addr0 = 0; /* 00:00.0, dword 0 */
	ok = sys_checked(BUS_READ, 0, addr0, &r);
	u32 id = (u32)r;
	if (read16(INFO_PCIE_COUNT)) {
		u32 direct = read32(read64(INFO_PCIE + PCIE_REC_BASE));
		bm_snprintf(detail, sizeof detail, "BUS_READ 0x%x, ECAM 0x%x", (u64)id, (u64)direct);
		check(ok && id == direct && (id & 0xFFFF) != 0xFFFF, "BUS_READ of 00:00.0 matches a direct ECAM read");
	} else {
		check(ok && (id & 0xFFFF) != 0xFFFF, "BUS_READ of 00:00.0 finds a device");
	}

	ok = sys_checked(BUS_READ, 0, 1ULL << BUS_SEGMENT_SHIFT, &r);
	check(ok && (u32)r == 0xFFFFFFFF, "BUS_READ of an unknown segment returns all ones");

	u64 reg = 0x3C / 4; /* interrupt line: writable in every type-0 header */
	u32 orig = (u32)b_system(BUS_READ, 0, reg);
	u64 dummy;
	ok = sys_checked(BUS_WRITE, (orig & ~0xFFu) | 0x5A, reg, &dummy);
	u32 changed = (u32)b_system(BUS_READ, 0, reg);
	b_system(BUS_WRITE, orig, reg);
	u32 restored = (u32)b_system(BUS_READ, 0, reg);
	bm_snprintf(detail, sizeof detail, "read back 0x%x then 0x%x", (u64)changed, (u64)restored);
	check(ok && (changed & 0xFF) == 0x5A && restored == orig, "BUS_WRITE changes the interrupt line of 00:00.0 and restores it");
}

static void test_stdout(void) {
	u64 r, original;
	int ok = sys_checked(STDOUT_GET, 0, 0, &original);
	check(ok && original == read64(CALL_B_OUTPUT), "STDOUT_GET returns the b_output slot");

	capture_len = 0;
	ok = sys_checked(STDOUT_SET, (u64)capture_output, 0, &r);
	int slot = read64(CALL_B_OUTPUT) == (u64)capture_output;
	b_output("redirected", 10);
	int text = capture_len == 10 && memcmp(capture_buf, "redirected", 10) == 0;

	capture_len = 0;
	int ok2 = sys_checked(DUMP_RAX, 0x0123456789ABCDEFULL, 0, &r);
	int rax = capture_len == 16 && memcmp(capture_buf, "0123456789ABCDEF", 16) == 0;

	static const char sample[20] = "BareMetal ABI test!";
	char expect[200];
	u64 a = (u64)sample;
	int n = bm_snprintf(expect, sizeof expect, "%016X: 42 61 72 65 4D 65 74 61 6C 20 41 42 49 20 74 65  BareMetal ABI te\n", a);
	n += bm_snprintf(expect + n, sizeof expect - n, "%016X: 73 74 21 00 %36s st!.\n", a + 16, "");
	capture_len = 0;
	int ok3 = sys_checked(DUMP_MEM, a, 20, &r);
	int mem = capture_len == (u64)n && memcmp(capture_buf, expect, n) == 0;

	sys_checked(STDOUT_SET, 0, 0, &r); /* 0: back to the serial output */
	u64 after;
	sys_checked(STDOUT_GET, 0, 0, &after);
	check(ok && slot && text, "STDOUT_SET redirects b_output through the call table");
	check(ok2 && rax, "DUMP_RAX prints 16 hex digits through b_output");
	if (!(ok3 && mem)) bm_snprintf(detail, sizeof detail, "captured %u bytes, expected %u", capture_len, (u64)n);
	check(ok3 && mem, "DUMP_MEM prints address, hex bytes and text through b_output");
	check(after == original, "STDOUT_SET 0 restores the serial output");
}

static void test_callbacks(void) {
	u64 r;
	ticks = 0;
	int ok = sys_checked(CALLBACK_TIMER, (u64)on_tick, 0, &r);
	b_system(DELAY, 100000, 0);
	ok &= sys_checked(CALLBACK_TIMER, 0, 0, &r);
	u64 fired = ticks;
	b_system(DELAY, 30000, 0);
	u64 later = ticks;
	bm_snprintf(detail, sizeof detail, "%u calls in 100 ms, %u more after removal", fired, later - fired);
	check(ok && fired >= 3 && later == fired, "CALLBACK_TIMER runs the callback periodically until removed");

	ok = sys_checked(CALLBACK_NETWORK, (u64)on_tick, 0, &r) && sys_checked(CALLBACK_NETWORK, 0, 0, &r);
	check(ok, "CALLBACK_NETWORK installs and removes (no network to raise it)");
	ok = sys_checked(CALLBACK_KEYBOARD, (u64)on_tick, 0, &r) && sys_checked(CALLBACK_KEYBOARD, 0, 0, &r);
	check(ok, "CALLBACK_KEYBOARD installs and removes");
}

int main(void) {
	u64 me = b_system(SMP_ID, 0, 0);
	print("abitest: BareMetal API conformance\n");
	test_call_table();
	test_io();
	test_basic();
	test_smp_local();
	test_smp_remote(me);
	test_devices();
	test_stdout();
	test_callbacks();
	skip("REBOOT", "would end the run");
	skip("SHUTDOWN", "would end the run; the monitor's poweroff uses it");
	bm_printf("abitest: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed != 0;
}
