/* smptest: work spread over every core with SMP_SET, shared state guarded by SMP_LOCK; the result is checked
   against a single-core computation and the lock against lost updates. Prints PASS or FAIL with the numbers. */
#include "bmlib.h"

#define N 2000000ULL      /* terms of the sum */
#define CHUNK 20000ULL    /* terms per work item */
#define LOCK_ROUNDS 20000 /* locked increments per worker */

static volatile u16 lock;
static volatile u64 next_chunk;
static volatile u64 total;
static volatile u64 counter;
static volatile u64 workers_ran;
static volatile u64 chunks_done;

static u64 term(u64 i) {
	u64 x = i * 0x9E3779B97F4A7C15ULL;
	x ^= x >> 29;
	return x % 1000003ULL;
}

static u64 sum_range(u64 from, u64 to) {
	u64 s = 0;
	for (u64 i = from; i < to; i++) s += term(i);
	return s;
}

/* Runs on every core (called by the kernel's idle loop on the APs, directly on the BSP). */
__attribute__((aligned(16))) static void worker(void) {
	for (;;) {
		b_system(SMP_LOCK, (u64)&lock, 0);
		u64 c = next_chunk++;
		b_system(SMP_UNLOCK, (u64)&lock, 0);
		if (c * CHUNK >= N) break;
		u64 part = sum_range(c * CHUNK, (c + 1) * CHUNK);
		b_system(SMP_LOCK, (u64)&lock, 0);
		total += part;
		chunks_done++;
		b_system(SMP_UNLOCK, (u64)&lock, 0);
	}
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		b_system(SMP_LOCK, (u64)&lock, 0);
		counter = counter + 1; /* a plain read-modify-write: only the lock keeps it exact */
		b_system(SMP_UNLOCK, (u64)&lock, 0);
	}
	b_system(SMP_LOCK, (u64)&lock, 0);
	workers_ran++;
	b_system(SMP_UNLOCK, (u64)&lock, 0);
}

int main(void) {
	u64 me = b_system(SMP_ID, 0, 0);
	u64 cores = b_system(SMP_NUMCORES, 0, 0);
	u64 queued = 0, failed = 0;
	for (u64 i = 0; i < read16(INFO_CORES_ACTIVE) && i < INFO_APIC_IDS_MAX; i++) {
		u64 id = read32(INFO_APIC_IDS + i * 4);
		if (id == me) continue;
		if (b_system(SMP_SET, (u64)worker, id)) queued++;
		else failed++;
	}
	bm_printf("smptest: %u core(s); work queued on %u AP(s) (%u refused), the BSP joins in\n", cores, queued, failed);
	worker();
	u64 freq = read32(INFO_HPET_FREQ);
	u64 deadline = b_system(TIMECOUNTER, 0, 0) + 10 * freq; /* 10 s */
	while (b_system(SMP_BUSY, 0, 0)) {
		if (b_system(TIMECOUNTER, 0, 0) > deadline) {
			print("smptest: FAIL: cores still busy after 10 s\n");
			return 1;
		}
		cpu_pause();
	}
	u64 expected = sum_range(0, N);
	u64 expected_counter = (queued + 1) * LOCK_ROUNDS;
	int ok = total == expected && counter == expected_counter && workers_ran == queued + 1 && chunks_done == N / CHUNK &&
		 failed == 0;
	bm_printf("smptest: sum of %u terms = %u, single-core result %u\n", N, total, expected);
	bm_printf("smptest: %u chunks done (expected %u)\n", chunks_done, N / CHUNK);
	bm_printf("smptest: locked counter %u (expected %u), workers finished %u (expected %u)\n", counter, expected_counter,
		  workers_ran, queued + 1);
	print(ok ? "smptest: PASS\n" : "smptest: FAIL\n");
	return ok ? 0 : 1;
}
