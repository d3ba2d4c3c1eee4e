/* C binding of the BareMetal kernel API (/work/shared/baremetal-abi.md §1-2): one asm wrapper per call-table entry.
   The kernel preserves every register except the documented outputs, so the wrappers clobber only memory and flags. */
#ifndef BAREMETAL_H
#define BAREMETAL_H

#include "bm_abi.h"

/* Programs are one static image at 0xFFFF800000000000, compiled position-independent: with every symbol hidden the
   compiler addresses functions and data RIP-relative instead of through a GOT the static link cannot resolve.
   Deliberately not popped: it covers the including file's own declarations too. */
#pragma GCC visibility push(hidden)

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed long long i64;

/* Upstream names for the b_system function numbers. */
#define TIMECOUNTER SYS_TIMECOUNTER
#define FREE_MEMORY SYS_FREE_MEMORY
#define SMP_ID SYS_SMP_ID
#define SMP_NUMCORES SYS_SMP_NUMCORES
#define SMP_SET SYS_SMP_SET
#define SMP_GET SYS_SMP_GET
#define SMP_LOCK SYS_SMP_LOCK
#define SMP_UNLOCK SYS_SMP_UNLOCK
#define SMP_BUSY SYS_SMP_BUSY
#define TSC SYS_TSC
#define SCREEN_LFB_GET SYS_SCREEN_LFB_GET
#define SCREEN_X_GET SYS_SCREEN_X_GET
#define SCREEN_Y_GET SYS_SCREEN_Y_GET
#define SCREEN_PPSL_GET SYS_SCREEN_PPSL_GET
#define SCREEN_BPP_GET SYS_SCREEN_BPP_GET
#define NET_STATUS SYS_NET_STATUS
#define NET_CONFIG SYS_NET_CONFIG
#define BUS_READ SYS_BUS_READ
#define BUS_WRITE SYS_BUS_WRITE
#define STDOUT_SET SYS_STDOUT_SET
#define STDOUT_GET SYS_STDOUT_GET
#define CALLBACK_TIMER SYS_CALLBACK_TIMER
#define CALLBACK_NETWORK SYS_CALLBACK_NETWORK
#define CALLBACK_KEYBOARD SYS_CALLBACK_KEYBOARD
#define DUMP_MEM SYS_DUMP_MEM
#define DUMP_RAX SYS_DUMP_RAX
#define DELAY SYS_DELAY
#define RESET SYS_RESET
#define REBOOT SYS_REBOOT
#define SHUTDOWN SYS_SHUTDOWN

/* AL = next input byte, 0 if none (never waits). */
static inline u8 b_input(void) {
	u64 c;
	__asm__ volatile("call *%P1" : "=a"(c) : "i"(CALL_B_INPUT) : "memory", "cc");
	return (u8)c;
}

static inline void b_output(const char *str, u64 len) {
	__asm__ volatile("call *%P0" : : "i"(CALL_B_OUTPUT), "S"(str), "c"(len) : "memory", "cc");
}

/* frame includes its 14-byte Ethernet header. */
static inline void b_net_tx(const void *frame, u64 len, u64 iface) {
	__asm__ volatile("call *%P0" : : "i"(CALL_B_NET_TX), "S"(frame), "c"(len), "d"(iface) : "memory", "cc");
}

/* Returns the frame length written to buffer, 0 if nothing arrived. (Upstream's C binding passes void **.) */
static inline u64 b_net_rx(void *buffer, u64 iface) {
	u64 len;
	__asm__ volatile("call *%P1" : "=c"(len) : "i"(CALL_B_NET_RX), "D"(buffer), "d"(iface) : "memory", "cc");
	return len;
}

/* 4096-byte sectors; return the number of sectors transferred. Same argument order as upstream libBareMetal. */
static inline u64 b_nvs_read(void *mem, u64 start, u64 count, u64 device) {
	__asm__ volatile("call *%P1" : "+c"(count) : "i"(CALL_B_NVS_READ), "a"(start), "d"(device), "D"(mem) : "memory", "cc");
	return count;
}

static inline u64 b_nvs_write(const void *mem, u64 start, u64 count, u64 device) {
	__asm__ volatile("call *%P1" : "+c"(count) : "i"(CALL_B_NVS_WRITE), "a"(start), "d"(device), "S"(mem) : "memory", "cc");
	return count;
}

static inline u64 b_system(u64 function, u64 var1, u64 var2) {
	__asm__ volatile("call *%P1" : "+a"(var1) : "i"(CALL_B_SYSTEM), "c"(function), "d"(var2) : "memory", "cc");
	return var1;
}

/* The user hook has no fixed contract: assume it clobbers every caller-saved register. */
static inline void b_user(void) {
	__asm__ volatile("call *%P0" : : "i"(CALL_B_USER)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
}

#endif
