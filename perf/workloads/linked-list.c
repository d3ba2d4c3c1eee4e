/* Linked-list walk: n 16-byte nodes linked in a random order across the buffer (pointer chasing, one dependent
   load per node, scattered over many pages), walked 16 times. */
#include "bench.h"

#define MAX_N (4u << 20)
#define PASSES 16
const uint64_t wl_max_n = MAX_N;
const uint64_t wl_default_n = 40000;
struct node {
  struct node *next;
  uint64_t val;
};
static struct node nodes[MAX_N];
static uint32_t order[MAX_N];
static uint64_t total;
static uint64_t ready;

void wl_prepare(uint64_t n) {
  if (ready == n) return;
  uint64_t s = 0xfeedfacecafebeefull;
  for (uint64_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  for (uint64_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
    uint64_t j = xs64(&s) % (i + 1);
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (uint64_t i = 0; i < n; i++) {
    struct node *p = &nodes[order[i]];
    p->next = i + 1 < n ? &nodes[order[i + 1]] : 0;
    p->val = xs64(&s) >> 20;
  }
  ready = n;
}

void wl_kernel(uint64_t n) {
  const struct node *head = &nodes[order[0]];
  uint64_t sum = 0;
  (void)n;
  for (uint64_t pass = 0; pass < PASSES; pass++) {
    for (const struct node *p = head; p != 0; p = p->next) sum += p->val ^ pass;
  }
  total = sum;
}

uint64_t wl_checksum(uint64_t n) { return mix64(n, total); }
