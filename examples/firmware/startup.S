/* Minimal Cortex-M startup: vector table and reset handler. The reset
   handler enables the FPU (CPACR: CP10 and CP11 full access) before any
   floating-point instruction can run, copies .data from flash to RAM,
   zeroes .bss and calls fw_main() (mps2.c), which never returns. */
    .syntax unified
    .thumb

    .section .vectors, "a"
    .balign 128
    .global fw_vectors
fw_vectors:
    .word __stack_top           /* initial stack pointer */
    .word Reset_Handler
    .word fw_fault              /* NMI */
    .word fw_fault              /* HardFault */
    .word fw_fault              /* MemManage */
    .word fw_fault              /* BusFault */
    .word fw_fault              /* UsageFault */
    .word 0, 0, 0, 0
    .word fw_fault              /* SVCall */
    .word fw_fault              /* DebugMonitor */
    .word 0
    .word fw_fault              /* PendSV */
    .word fw_systick            /* SysTick */

    .text
    .thumb_func
    .global Reset_Handler
    .type Reset_Handler, %function
Reset_Handler:
    ldr r0, =0xE000ED88         /* CPACR */
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)
    str r1, [r0]
    dsb
    isb
    ldr r0, =__data_load
    ldr r1, =__data_start
    ldr r2, =__data_end
1:  cmp r1, r2
    bhs 2f
    ldr r3, [r0], #4
    str r3, [r1], #4
    b 1b
2:  ldr r1, =__bss_start
    ldr r2, =__bss_end
    movs r3, #0
3:  cmp r1, r2
    bhs 4f
    str r3, [r1], #4
    b 3b
4:  bl fw_main
5:  b 5b
    .size Reset_Handler, . - Reset_Handler
    .ltorg
