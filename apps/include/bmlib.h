/* Tiny freestanding support library for bmjit programs (apps/lib): memory/string helpers and formatted output
   through b_output. */
#ifndef BMLIB_H
#define BMLIB_H

#include "baremetal.h"

typedef __SIZE_TYPE__ size_t;
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

void print(const char *s);
/* printf subset: %d %i %u %x %X %c %s %p %%, the l/ll length modifiers (ignored: every integer is 64-bit in
   this library, so pass u64/i64/pointers), '0' and '-' flags and a width. Returns the bytes written. */
int bm_printf(const char *fmt, ...);
int bm_snprintf(char *buf, size_t size, const char *fmt, ...);

static inline void cpu_pause(void) { __asm__ volatile("pause"); }
static inline u64 read64(u64 addr) { return *(volatile u64 *)addr; }
static inline u32 read32(u64 addr) { return *(volatile u32 *)addr; }
static inline u16 read16(u64 addr) { return *(volatile u16 *)addr; }
static inline u8 read8(u64 addr) { return *(volatile u8 *)addr; }

#endif
