/* Host-CPU oracle for bmjit semantic tests: runs x86-64 snippets natively from a fixed initial state.
 * Wire format, RSP convention and fault reporting: tests/oracle/README.md (keep both in sync).
 *
 * One process runs a whole batch: stdin = header + cases, stdout = header + results. No fork per case:
 * faults are caught with sigaction (on an alternate stack, because guest RSP is arbitrary) and
 * siglongjmp back to the run loop. A periodic SIGVTALRM (user CPU time, so preemption on a busy machine
 * cannot fake a timeout) bounds each case's run time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#define DATA_BASE 0x10000000UL
#define DATA_SIZE 0x2000UL
#define CODE_BASE 0x20000000UL
#define CODE_SIZE 0x1000UL
#define STACK_TOP (DATA_BASE + 0x1000UL)
#define GUARD_SIZE 0x100000UL /* PROT_NONE reservations around both areas: nothing else can map there */
#define EPILOGUE_LEN 14
#define MAX_CODE (CODE_SIZE - EPILOGUE_LEN)

#define IN_MAGIC 0x494F4D42u  /* "BMOI" */
#define OUT_MAGIC 0x524F4D42u /* "BMOR" */
#define VERSION 1u
#define IN_CASE_FIXED 408
#define OUT_CASE_FIXED 532

#define STATUS_OK 0u
#define STATUS_FAULT 1u
#define STATUS_TIMEOUT 2u

#define ARITH_AND_DF 0xCD5ULL /* CF PF AF ZF SF DF OF */
#define RFLAGS_FIXED 0x202ULL /* reserved bit 1 + IF (user mode always runs with IF=1) */

#define TICK_USEC 50000 /* SIGVTALRM period (process user CPU time) */
#define TIMEOUT_TICKS 5  /* a case still running after this many ticks is abandoned */

/* ---- state shared with the entry/exit trampolines (referenced RIP-relative from asm) ---- */
__attribute__((visibility("hidden"), aligned(64))) uint8_t bm_in_fx[512];
__attribute__((visibility("hidden"), aligned(64))) uint8_t bm_out_fx[512];
__attribute__((visibility("hidden"), aligned(16))) uint8_t bm_exit_stack[256];
__attribute__((visibility("hidden"))) uint64_t bm_in_gpr[16];
__attribute__((visibility("hidden"))) uint64_t bm_in_rflags;
__attribute__((visibility("hidden"))) uint64_t bm_out_gpr[16];
__attribute__((visibility("hidden"))) uint64_t bm_out_rflags;
__attribute__((visibility("hidden"))) uint64_t bm_host_rsp;
__attribute__((visibility("hidden"))) uint64_t bm_entry = CODE_BASE;
__attribute__((visibility("hidden"))) uint32_t bm_host_mxcsr = 0x1F80;

void bm_enter(void);
void bm_exit(void);

/* bm_enter
 *   IN:  bm_in_fx (FXSAVE image: FCW, MXCSR, XMM0-15), bm_in_rflags, bm_in_gpr[16] (slot 4 = guest RSP)
 *   OUT: jumps to bm_entry with the guest state loaded; control comes back through bm_exit (returns here
 *        normally) or through the signal handler (siglongjmp).
 *   clobbers: everything the guest touches; callee-saved host registers are saved on the host stack.
 * bm_exit (reached by the epilogue `jmp [rip+0]; .quad bm_exit` appended after the guest code)
 *   IN:  guest state in registers
 *   OUT: bm_out_gpr, bm_out_rflags, bm_out_fx; host FPU/MXCSR/DF restored; returns from bm_enter.
 */
__asm__(
    ".text\n"
    ".globl bm_enter\n"
    ".type bm_enter,@function\n"
    "bm_enter:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, bm_host_rsp(%rip)\n"
    "  fxrstor64 bm_in_fx(%rip)\n"
    "  pushq bm_in_rflags(%rip)\n"
    "  popfq\n"
    "  mov bm_in_gpr+0(%rip), %rax\n"
    "  mov bm_in_gpr+8(%rip), %rcx\n"
    "  mov bm_in_gpr+16(%rip), %rdx\n"
    "  mov bm_in_gpr+24(%rip), %rbx\n"
    "  mov bm_in_gpr+40(%rip), %rbp\n"
    "  mov bm_in_gpr+48(%rip), %rsi\n"
    "  mov bm_in_gpr+56(%rip), %rdi\n"
    "  mov bm_in_gpr+64(%rip), %r8\n"
    "  mov bm_in_gpr+72(%rip), %r9\n"
    "  mov bm_in_gpr+80(%rip), %r10\n"
    "  mov bm_in_gpr+88(%rip), %r11\n"
    "  mov bm_in_gpr+96(%rip), %r12\n"
    "  mov bm_in_gpr+104(%rip), %r13\n"
    "  mov bm_in_gpr+112(%rip), %r14\n"
    "  mov bm_in_gpr+120(%rip), %r15\n"
    "  mov bm_in_gpr+32(%rip), %rsp\n"
    "  jmp *bm_entry(%rip)\n"
    ".size bm_enter, .-bm_enter\n"
    "\n"
    ".globl bm_exit\n"
    ".type bm_exit,@function\n"
    "bm_exit:\n"
    "  mov %rax, bm_out_gpr+0(%rip)\n"
    "  mov %rcx, bm_out_gpr+8(%rip)\n"
    "  mov %rdx, bm_out_gpr+16(%rip)\n"
    "  mov %rbx, bm_out_gpr+24(%rip)\n"
    "  mov %rsp, bm_out_gpr+32(%rip)\n"
    "  mov %rbp, bm_out_gpr+40(%rip)\n"
    "  mov %rsi, bm_out_gpr+48(%rip)\n"
    "  mov %rdi, bm_out_gpr+56(%rip)\n"
    "  mov %r8, bm_out_gpr+64(%rip)\n"
    "  mov %r9, bm_out_gpr+72(%rip)\n"
    "  mov %r10, bm_out_gpr+80(%rip)\n"
    "  mov %r11, bm_out_gpr+88(%rip)\n"
    "  mov %r12, bm_out_gpr+96(%rip)\n"
    "  mov %r13, bm_out_gpr+104(%rip)\n"
    "  mov %r14, bm_out_gpr+112(%rip)\n"
    "  mov %r15, bm_out_gpr+120(%rip)\n"
    "  lea bm_exit_stack+256(%rip), %rsp\n" /* mov/lea leave RFLAGS intact until pushfq */
    "  pushfq\n"
    "  popq bm_out_rflags(%rip)\n"
    "  pushq $0x202\n" /* drop AC/DF/TF the guest may have left before running C code */
    "  popfq\n"
    "  fxsave64 bm_out_fx(%rip)\n"
    "  fninit\n"
    "  ldmxcsr bm_host_mxcsr(%rip)\n"
    "  mov bm_host_rsp(%rip), %rsp\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n"
    ".size bm_exit, .-bm_exit\n");

/* ---- fault capture ---- */
struct fault_info {
    uint32_t status, signo;
    int32_t vector, si_code;
    uint64_t err, addr, rip, rflags;
    uint64_t gpr[16];
};

static sigjmp_buf g_jmp;
static volatile sig_atomic_t g_in_guest;
static volatile uint32_t g_case_seq, g_tick_seq, g_ticks;
static struct fault_info g_fault;

static void die(const char *msg) {
    fprintf(stderr, "host-oracle: %s\n", msg);
    exit(2);
}

static void on_signal(int sig, siginfo_t *si, void *ctxp) {
    /* The kernel clears DF and TF for a handler but not AC: a guest that set AC would make the
     * harness's own unaligned accesses fault from here on. */
    __asm__ volatile("pushfq\n\tandl $~0x40000, (%%rsp)\n\tpopfq" ::: "memory", "cc");
    ucontext_t *uc = (ucontext_t *)ctxp;
    if (!g_in_guest) {
        if (sig == SIGVTALRM) return;
        static const char m[] = "host-oracle: fault outside guest code (harness bug)\n";
        (void)!write(2, m, sizeof m - 1);
        signal(sig, SIG_DFL); /* returning re-executes the instruction and dies with the real signal */
        return;
    }
    if (sig == SIGVTALRM) {
        if (g_tick_seq != g_case_seq) {
            g_tick_seq = g_case_seq;
            g_ticks = 1;
            return;
        }
        if (++g_ticks < TIMEOUT_TICKS) return;
    }
    greg_t *g = uc->uc_mcontext.gregs;
    g_fault.status = sig == SIGVTALRM ? STATUS_TIMEOUT : STATUS_FAULT;
    g_fault.signo = (uint32_t)sig;
    g_fault.vector = sig == SIGVTALRM ? -1 : (int32_t)g[REG_TRAPNO];
    g_fault.si_code = sig == SIGVTALRM ? 0 : si->si_code;
    g_fault.err = sig == SIGVTALRM ? 0 : (uint64_t)g[REG_ERR];
    g_fault.addr = sig == SIGVTALRM ? 0 : (uint64_t)si->si_addr;
    g_fault.rip = (uint64_t)g[REG_RIP];
    g_fault.rflags = (uint64_t)g[REG_EFL];
    static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                  REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    for (int i = 0; i < 16; i++) g_fault.gpr[i] = (uint64_t)g[order[i]];
    if (uc->uc_mcontext.fpregs) memcpy(bm_out_fx, uc->uc_mcontext.fpregs, 512);
    else memset(bm_out_fx, 0, 512);
    g_in_guest = 0;
    siglongjmp(g_jmp, 1);
}

static void install_handlers(void) {
    static uint8_t altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) die("sigaltstack failed");
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGVTALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_signal;
        /* NODEFER: we leave the handler by longjmp without restoring a mask, so never block anything. */
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], &sa, NULL) != 0) die("sigaction failed");
    }
    struct itimerval it = {{0, TICK_USEC}, {0, TICK_USEC}};
    if (setitimer(ITIMER_VIRTUAL, &it, NULL) != 0) die("setitimer failed");
}

static void *map_fixed(uint64_t addr, uint64_t size, int prot) {
    void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)addr) {
        fprintf(stderr, "host-oracle: cannot map 0x%lx+0x%lx: %s\n", (unsigned long)addr, (unsigned long)size,
                p == MAP_FAILED ? strerror(errno) : "address taken");
        exit(2);
    }
    return p;
}

/* ---- batch I/O ---- */
static uint8_t *read_all(size_t *len) {
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) die("out of memory");
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) die("out of memory");
        }
        ssize_t r = read(0, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("read error on stdin");
        if (r == 0) break;
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

static uint8_t *g_out;
static size_t g_out_len, g_out_cap;

static uint8_t *out_reserve(size_t n) {
    if (g_out_len + n > g_out_cap) {
        while (g_out_len + n > g_out_cap) g_out_cap = g_out_cap ? g_out_cap * 2 : (1 << 20);
        g_out = realloc(g_out, g_out_cap);
        if (!g_out) die("out of memory");
    }
    uint8_t *p = g_out + g_out_len;
    g_out_len += n;
    return p;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Appends (offset, len, bytes) runs where the data area differs from its initial image.
 * Runs closer than 8 bytes are merged so a scattered write does not cost 8 bytes of header per byte. */
static void emit_diff(const uint8_t *init, const uint8_t *data) {
    size_t count_at = g_out_len;
    out_reserve(4);
    uint32_t runs = 0;
    size_t i = 0;
    while (i < DATA_SIZE) {
        if (((i & 63) == 0) && memcmp(init + i, data + i, 64) == 0) { i += 64; continue; }
        if (init[i] == data[i]) { i++; continue; }
        size_t start = i, last = i;
        for (i = start + 1; i < DATA_SIZE && i - last <= 8; i++)
            if (init[i] != data[i]) last = i;
        size_t len = last - start + 1;
        uint8_t *p = out_reserve(8 + len);
        put32(p, (uint32_t)start);
        put32(p + 4, (uint32_t)len);
        memcpy(p + 8, data + start, len);
        runs++;
        i = last + 1;
    }
    put32(g_out + count_at, runs);
}

/* Kept out of main so that no local of the batch loop lives across sigsetjmp. */
static __attribute__((noinline)) void run_guest(uint32_t code_len) {
    struct fault_info *f = &g_fault;
    if (sigsetjmp(g_jmp, 0) == 0) {
        g_in_guest = 1;
        bm_enter();
        g_in_guest = 0;
        f->status = STATUS_OK;
        f->signo = 0;
        f->vector = -1;
        f->si_code = 0;
        f->err = 0;
        f->addr = 0;
        f->rip = CODE_BASE + code_len;
        f->rflags = bm_out_rflags;
        memcpy(f->gpr, bm_out_gpr, 128);
    } else {
        /* The kernel gave the handler a fresh FPU state; make the host state explicit anyway. */
        __asm__ volatile("fninit\n\tldmxcsr %0\n\tcld" ::"m"(bm_host_mxcsr));
    }
}

int main(void) {
    size_t in_len;
    uint8_t *in = read_all(&in_len);
    if (in_len < 16) die("input shorter than the 16-byte header");
    if (get32(in) != IN_MAGIC) die("bad input magic (expected \"BMOI\")");
    if (get32(in + 4) != VERSION) die("unsupported input version");
    uint32_t count = get32(in + 8);

    map_fixed(DATA_BASE - GUARD_SIZE, GUARD_SIZE, PROT_NONE);
    map_fixed(DATA_BASE + DATA_SIZE, GUARD_SIZE, PROT_NONE);
    map_fixed(CODE_BASE - GUARD_SIZE, GUARD_SIZE, PROT_NONE);
    map_fixed(CODE_BASE + CODE_SIZE, GUARD_SIZE, PROT_NONE);
    uint8_t *data = map_fixed(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE);
    uint8_t *code = map_fixed(CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    static uint8_t init[DATA_SIZE];
    uint8_t epilogue[EPILOGUE_LEN] = {0xFF, 0x25, 0, 0, 0, 0};
    uint64_t exit_addr = (uint64_t)(uintptr_t)&bm_exit;
    memcpy(epilogue + 6, &exit_addr, 8);

    uint8_t *o = out_reserve(16);
    put32(o, OUT_MAGIC);
    put32(o + 4, VERSION);
    put32(o + 8, count);
    put32(o + 12, 0);

    install_handlers();

    size_t pos = 16;
    for (uint32_t ci = 0; ci < count; ci++) {
        char err[160];
        if (in_len - pos < IN_CASE_FIXED) {
            snprintf(err, sizeof err, "case %u: truncated input", ci);
            die(err);
        }
        const uint8_t *c = in + pos;
        uint32_t code_len = get32(c), nruns = get32(c + 4);
        uint32_t mxcsr = get32(c + 144);
        if (code_len > MAX_CODE) {
            snprintf(err, sizeof err, "case %u: code is %u bytes, max %lu", ci, code_len, (unsigned long)MAX_CODE);
            die(err);
        }
        if (mxcsr & 0xFFFF0000u) {
            snprintf(err, sizeof err, "case %u: MXCSR 0x%x sets reserved bits", ci, mxcsr);
            die(err);
        }
        pos += IN_CASE_FIXED;
        if (in_len - pos < code_len) {
            snprintf(err, sizeof err, "case %u: truncated code", ci);
            die(err);
        }
        memcpy(bm_in_gpr, c + 8, 128);
        bm_in_gpr[4] = STACK_TOP;
        uint64_t fl;
        memcpy(&fl, c + 136, 8);
        bm_in_rflags = (fl & ARITH_AND_DF) | RFLAGS_FIXED;
        memset(bm_in_fx, 0, sizeof bm_in_fx); /* FSW=0, abridged FTW=0 (all empty): the FNINIT state */
        memcpy(bm_in_fx + 0, c + 148, 2);     /* FCW */
        memcpy(bm_in_fx + 24, &mxcsr, 4);
        memcpy(bm_in_fx + 160, c + 152, 256); /* XMM0-15 */

        memset(code, 0xCC, CODE_SIZE); /* whole page: the guest may have written anywhere in it */
        memcpy(code, in + pos, code_len);
        memcpy(code + code_len, epilogue, EPILOGUE_LEN);
        pos += code_len;

        memset(init, 0, DATA_SIZE);
        for (uint32_t r = 0; r < nruns; r++) {
            if (in_len - pos < 8) {
                snprintf(err, sizeof err, "case %u: truncated memory run header", ci);
                die(err);
            }
            uint32_t off = get32(in + pos), len = get32(in + pos + 4);
            pos += 8;
            if (off > DATA_SIZE || len > DATA_SIZE - off || in_len - pos < len) {
                snprintf(err, sizeof err, "case %u: memory run %u (0x%x+0x%x) outside the data area or truncated",
                         ci, r, off, len);
                die(err);
            }
            memcpy(init + off, in + pos, len);
            pos += len;
        }
        memcpy(data, init, DATA_SIZE);

        g_case_seq = ci + 1;
        run_guest(code_len);
        const struct fault_info *f = &g_fault;

        uint8_t *r = out_reserve(OUT_CASE_FIXED - 4);
        put32(r + 0, f->status);
        put32(r + 4, f->signo);
        put32(r + 8, (uint32_t)f->vector);
        put32(r + 12, (uint32_t)f->si_code);
        put64(r + 16, f->err);
        put64(r + 24, f->addr);
        memcpy(r + 32, f->gpr, 128);
        put64(r + 160, f->rip);
        put64(r + 168, f->rflags);
        put32(r + 176, get32(bm_out_fx + 24));            /* MXCSR */
        memcpy(r + 180, bm_out_fx + 0, 2);                /* FCW */
        memcpy(r + 182, bm_out_fx + 2, 2);                /* FSW */
        memset(r + 184, 0, 8);
        r[184] = bm_out_fx[4];                            /* abridged FTW */
        for (int s = 0; s < 8; s++) memcpy(r + 192 + 10 * s, bm_out_fx + 32 + 16 * s, 10);
        memcpy(r + 272, bm_out_fx + 160, 256);
        emit_diff(init, data);
    }
    if (pos != in_len) die("trailing bytes after the last case");

    for (size_t done = 0; done < g_out_len;) {
        ssize_t w = write(1, g_out + done, g_out_len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) die("write error on stdout");
        done += (size_t)w;
    }
    return 0;
}
