/*
 * Interrupt and exception entry stubs (SDM Vol. 3A 6.14). Vectors without a
 * CPU-pushed error code push 0, so every frame has the same layout
 * (struct trap_frame). All 256 vectors have a stub; idt.c installs them.
 */
#include <arch/layout.h>

/* Exceptions that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text
	.altmacro
	.macro stub v
	.balign 16
isr_stub_\v:
	.if !((\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
	.endm

	.set i, 0
	.rept 256
	stub %i
	.set i, i + 1
	.endr

isr_common:
	cld
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	/* A frame record for the backtrace: interrupted RIP above the saved RBP. */
	pushq 17*8(%rsp)	/* frame->rip */
	pushq %rbp
	movq %rsp, %rbp
	call isr_dispatch
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl isr_stub_table
	.macro stubaddr v
	.quad isr_stub_\v
	.endm
isr_stub_table:
	.set i, 0
	.rept 256
	stubaddr %i
	.set i, i + 1
	.endr
