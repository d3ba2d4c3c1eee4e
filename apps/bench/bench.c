/* bench: a compute benchmark (gcc -O2): sieve, CRC-32, floating-point matrix product, quicksort. Prints each
   kernel's result (deterministic) and its HPET ticks (not deterministic), then a combined checksum. */
#include "bmlib.h"

#define SIEVE_N 1000000
#define CRC_BYTES (1 << 20)
#define MAT_N 64
#define SORT_N 100000

static u8 composite[SIEVE_N + 1];
static u8 data[CRC_BYTES];
static double ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];
static u32 keys[SORT_N];
static u32 crc_table[256];
static u64 rng_state;

static u64 rng(void) {
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 sieve(void) {
	u64 count = 0;
	for (u64 i = 2; i * i <= SIEVE_N; i++)
		if (!composite[i])
			for (u64 j = i * i; j <= SIEVE_N; j += i) composite[j] = 1;
	for (u64 i = 2; i <= SIEVE_N; i++) count += !composite[i];
	return count;
}

static u64 crc32(void) {
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;
		for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	rng_state = 0x243F6A8885A308D3ULL;
	for (u64 i = 0; i < CRC_BYTES; i += 8) {
		u64 v = rng();
		memcpy(&data[i], &v, 8);
	}
	u32 crc = 0xFFFFFFFFu;
	for (u64 i = 0; i < CRC_BYTES; i++) crc = crc_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}

static u64 matmul(void) {
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			ma[i][j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
			mb[i][j] = (double)((i * 5 + j * 11) % 13) / 4.0 - 1.5;
		}
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			double s = 0;
			for (int k = 0; k < MAT_N; k++) s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
		}
	u64 h = 0;
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			i64 fixed = (i64)(mc[i][j] * 1024.0); /* values are exact multiples of 1/32 */
			h = h * 31 + (u64)fixed;
		}
	return h;
}

static void quicksort(u32 *a, i64 lo, i64 hi) {
	while (lo < hi) {
		u32 pivot = a[lo + (hi - lo) / 2];
		i64 i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot) i++;
			while (a[j] > pivot) j--;
			if (i <= j) {
				u32 t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

static u64 sort(void) {
	rng_state = 0x13198A2E03707344ULL;
	for (int i = 0; i < SORT_N; i++) keys[i] = (u32)rng();
	quicksort(keys, 0, SORT_N - 1);
	u64 h = 0;
	for (int i = 0; i < SORT_N; i++) {
		if (i && keys[i - 1] > keys[i]) return 0; /* not sorted */
		h = h * 1099511628211ULL ^ keys[i];
	}
	return h;
}

struct part {
	const char *name;
	u64 (*run)(void);
};

int main(void) {
	static const struct part parts[] = {
		{ "sieve: primes below 1000001", sieve },
		{ "crc32 of 1 MiB", crc32 },
		{ "matmul 64x64 double", matmul },
		{ "quicksort 100000 keys", sort },
	};
	u64 freq = read32(INFO_HPET_FREQ), total = 0, checksum = 0;
	for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		u64 t0 = b_system(TIMECOUNTER, 0, 0);
		u64 r = parts[i].run();
		u64 dt = b_system(TIMECOUNTER, 0, 0) - t0;
		total += dt;
		checksum = (checksum ^ r) * 0x100000001B3ULL;
		bm_printf("bench: %-28s = %u (0x%x)\n", parts[i].name, r, r);
		bm_printf("bench:   ticks %u (%u us)\n", dt, dt * 1000000 / freq);
	}
	bm_printf("bench: checksum 0x%016x\n", checksum);
	bm_printf("bench: total ticks %u at %u Hz (%u us)\n", total, freq, total * 1000000 / freq);
	return 0;
}
