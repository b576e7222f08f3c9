/* The platform for app.c on QEMU's mps2-an500 (Cortex-M7; the same code
   builds for a Cortex-M4): semihosting output and exit, a SysTick clock,
   the MPU keeping the flash and the weights read-only, a fault handler, and fw_main(),
   which startup.S calls once the FPU is on and RAM is set up. */
#include "app.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_ICSR REG(0xE000ED04u)
#define SCB_SHCSR REG(0xE000ED24u)
#define SCB_CFSR REG(0xE000ED28u)
#define SCB_HFSR REG(0xE000ED2Cu)
#define MPU_TYPE REG(0xE000ED90u)
#define MPU_CTRL REG(0xE000ED94u)
#define MPU_RNR REG(0xE000ED98u)
#define MPU_RBAR REG(0xE000ED9Cu)
#define MPU_RASR REG(0xE000EDA0u)

#ifndef FW_CPU_NAME
#define FW_CPU_NAME "Cortex-M7 (QEMU mps2-an500)"
#endif

extern const unsigned char fw_model[], fw_model_end[], fw_config[], fw_config_end[];
extern const unsigned char fw_vocab[], fw_vocab_end[], fw_merges[], fw_merges_end[];
extern unsigned char __arena_start[], __arena_end[], __stack_limit[], __stack_top[];
extern unsigned char __data_start[], __data_end[], __bss_start[], __bss_end[], __xip_start[];
extern unsigned char __flash_start[], __flash_end[], __flash_used_end[];

/* ---- semihosting --------------------------------------------------------- */

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u

void plat_write(const char *s, size_t n) {
    char buf[128];
    while (n) {
        size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1, i;
        for (i = 0; i < k; i++) buf[i] = s[i] ? s[i] : ' ';
        buf[k] = 0;
        semihost(SYS_WRITE0, buf);
        s += k;
        n -= k;
    }
}
static void put(const char *s) { size_t n = 0; while (s[n]) n++; plat_write(s, n); }
static void put_hex(uint32_t v) {
    char h[11];
    int i;
    h[0] = '0'; h[1] = 'x'; h[10] = 0;
    for (i = 9; i >= 2; i--) { h[i] = "0123456789abcdef"[v & 15]; v >>= 4; }
    put(h);
}
static void put_u(uint32_t v) {
    char b[11];
    int k = 10;
    b[10] = 0;
    do { b[--k] = (char)('0' + v % 10); v /= 10; } while (v);
    put(b + k);
}
static void fw_exit(int ok) {
    semihost(SYS_EXIT, (const void *)(uintptr_t)(ok ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR));
    for (;;) {}
}

/* ---- clock: SysTick on the processor clock (25 MHz on the mps2 boards) ---- */

static volatile uint32_t systick_wraps;
void fw_systick(void);
void fw_systick(void) { systick_wraps++; }
uint32_t plat_tick_hz(void) { return 25000000u; }
uint64_t plat_ticks(void) {
    uint32_t w, v, pending;
    do {
        w = systick_wraps;
        v = SYST_CVR;
        pending = (SCB_ICSR >> 26) & 1u;      /* PENDSTSET: a wrap not counted yet */
    } while (w != systick_wraps);
    if (pending && v > 0x800000u) w++;        /* v was read after that wrap */
    return ((uint64_t)w << 24) + (0xFFFFFFu - v);
}
const char *plat_name(void) { return FW_CPU_NAME; }

/* ---- faults ------------------------------------------------------------------ */

void fw_fault(void);
void fw_fault(void) {
    put("\nfault: CFSR "); put_hex(SCB_CFSR);
    put(" HFSR "); put_hex(SCB_HFSR); put("\n");
    fw_exit(0);
}

/* ---- main --------------------------------------------------------------------- */

void fw_main(void);
void fw_main(void) {
    app_blobs b;
    uint32_t *p;
    uintptr_t sp, flash0 = (uintptr_t)__flash_start;
    uint32_t flash_size = (uint32_t)((uintptr_t)__flash_end - flash0);
    uint32_t flash_used = (uint32_t)((uintptr_t)__flash_used_end - flash0), log2m1;
    int rc, regions, in_flash = (uintptr_t)fw_model >= flash0 && (uintptr_t)fw_model_end <= (uintptr_t)__flash_used_end;

    /* stack high-water mark: paint what is not in use yet */
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (p = (uint32_t *)(void *)__stack_limit; (uintptr_t)p + 64 < sp; p++) *p = 0xA5A5A5A5u;

    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 7u;                       /* processor clock, interrupt, on */
    while (SYST_CVR == 0) {}             /* until it has loaded RVR */

    /* the weights region (XIP in the linker script, 16 MiB) read-only and
       never executed, the code memory (FLASH, 4 MiB: code, constants and,
       in the 8-bit build, the weights) read-only as flash is; everything
       else keeps the default map */
    for (log2m1 = 4; (2u << log2m1) < flash_size; log2m1++) {}     /* 2^(log2m1 + 1) >= flash_size */
    regions = (int)((MPU_TYPE >> 8) & 0xFFu);
    if (regions >= 2) {
        MPU_RNR = 0;
        MPU_RBAR = (uint32_t)(uintptr_t)__xip_start;
        /* XN, AP read-only, TEX 000 C 1 B 0 (Normal memory, write-through:
           cacheable, as flash is; TEX/C/B all 0 would be Strongly-ordered),
           2^24 bytes, on */
        MPU_RASR = (1u << 28) | (6u << 24) | (1u << 17) | (23u << 1) | 1u;
        MPU_RNR = 1;
        MPU_RBAR = (uint32_t)flash0;                           /* aligned to its size: 0 */
        MPU_RASR = (6u << 24) | (1u << 17) | (log2m1 << 1) | 1u;   /* the same, executable */
        MPU_CTRL = (1u << 2) | 1u;                             /* default map for the rest, on */
        SCB_SHCSR |= 1u << 16;                                 /* MemManage faults */
        __asm__ volatile("dsb\n\tisb" ::: "memory");
    }

    b.model = fw_model; b.model_len = (size_t)(fw_model_end - fw_model);
    b.config = (const char *)fw_config; b.config_len = (size_t)(fw_config_end - fw_config);
    b.vocab = (const char *)fw_vocab; b.vocab_len = (size_t)(fw_vocab_end - fw_vocab);
    b.merges = (const char *)fw_merges; b.merges_len = (size_t)(fw_merges_end - fw_merges);
    put("firmware: RAM .data "); put_u((uint32_t)(__data_end - __data_start));
    put(" + .bss "); put_u((uint32_t)(__bss_end - __bss_start));
    put(" bytes, stack "); put_u((uint32_t)(__stack_top - __stack_limit));
    put(" bytes, MPU ");
    if (regions >= 2) { put_u((uint32_t)regions); put(" regions (flash and weights read-only)\n"); }
    else put("absent (flash and weights not write-protected)\n");
    put("firmware: flash "); put_u(flash_used); put(" of "); put_u(flash_size);
    put(" bytes used ("); put_u(flash_size - flash_used); put(" free), weights in ");
    put(in_flash ? "flash\n" : "XIP\n");

    rc = app_run(&b, __arena_start, (size_t)(__arena_end - __arena_start));

    for (p = (uint32_t *)(void *)__stack_limit; p < (uint32_t *)(void *)__stack_top && *p == 0xA5A5A5A5u; p++) {}
    put("stack: "); put_u((uint32_t)((uint32_t *)(void *)__stack_top - p) * 4u); put(" bytes used at most\n");
    if (p == (uint32_t *)(void *)__stack_limit) {   /* the last painted word is gone: it may have run into the arena */
        put("stack: all of it used: it may have overflowed into the arena\n");
        rc = 1;
    }
    put(rc == 0 ? "firmware: ok\n" : "firmware: FAILED\n");
    fw_exit(rc == 0);
}
