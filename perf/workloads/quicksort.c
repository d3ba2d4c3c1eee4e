/* Quicksort of n pseudo-random uint32 keys: median-of-three Hoare partitioning, insertion sort below 16,
   recursion on the smaller side (data-dependent branches, loads and stores). */
#include "bench.h"

#define MAX_N (4u << 20)
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 40000;
static uint32_t keys[MAX_N];

void wl_prepare(uint64_t n) {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (uint64_t i = 0; i < n; i++) keys[i] = (uint32_t)(xs64(&s) >> 32);
}

static void insertion(uint32_t *a, int64_t lo, int64_t hi) {
  for (int64_t i = lo + 1; i <= hi; i++) {
    uint32_t v = a[i];
    int64_t j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void swap(uint32_t *a, int64_t i, int64_t j) {
  uint32_t t = a[i];
  a[i] = a[j];
  a[j] = t;
}

static void quicksort(uint32_t *a, int64_t lo, int64_t hi) {
  while (hi - lo >= 16) {
    int64_t mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    uint32_t pivot = a[mid];
    int64_t i = lo - 1, j = hi + 1;
    for (;;) {
      do i++; while (a[i] < pivot);
      do j--; while (a[j] > pivot);
      if (i >= j) break;
      swap(a, i, j);
    }
    if (j - lo < hi - j) {
      quicksort(a, lo, j);
      lo = j + 1;
    } else {
      quicksort(a, j + 1, hi);
      hi = j;
    }
  }
  insertion(a, lo, hi);
}

void wl_kernel(uint64_t n) { quicksort(keys, 0, (int64_t)n - 1); }

uint64_t wl_checksum(uint64_t n) {
  uint64_t x = n, unsorted = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (i > 0 && keys[i - 1] > keys[i]) unsorted++;
    x = mix64(x, keys[i]);
  }
  return mix64(x, unsorted);
}
