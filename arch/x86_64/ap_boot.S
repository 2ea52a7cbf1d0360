/*
 * Application-processor start-up trampoline (SDM Vol. 3A 9.4.4, 10.8.5).
 * Copied to a page below 1 MiB; a STARTUP IPI starts the AP in real mode at
 * CS = page >> 4, IP = 0. Real -> protected -> long mode with a temporary
 * PML4 (identity map of the low 2 MiB plus the kernel's upper half), then a
 * jump to ap_entry(arg) in the kernel, on the stack the BSP gave it.
 * The code is position-independent within its page: every address is
 * TRAMP_BASE + offset, and TRAMP_BASE is patched in ap_tramp_base by the BSP.
 */
#define OFF(x) ((x) - ap_tramp_start)

	.section .rodata
	.balign 16
	.globl ap_tramp_start, ap_tramp_end, ap_tramp_params
	.code16
ap_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	/* Fix up the two absolute far pointers and the GDT base for this page. */
	xorl %ebx, %ebx
	movw %cs, %bx
	shll $4, %ebx
	addl %ebx, OFF(gdtr_base)
	addl %ebx, OFF(far32)
	addl %ebx, OFF(far64)
	lgdtl OFF(gdtr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl *OFF(far32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl OFF(p_cr3)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax	/* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | (1 << 5)), %eax	/* PG, WP, NE */
	andl $~((1 << 30) | (1 << 29)), %eax		/* caches on */
	movl %eax, %cr0
	ljmpl *OFF(far64)(%ebx)

	.code64
tramp64:
	movq OFF(p_stack)(%rbx), %rsp
	movq OFF(p_arg)(%rbx), %rdi
	movq OFF(p_entry)(%rbx), %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
gdtr:
	.word 31
gdtr_base:
	.long OFF(gdt)
far32:
	.long OFF(tramp32)
	.word 0x08
far64:
	.long OFF(tramp64)
	.word 0x18
	.balign 8
ap_tramp_params:
p_cr3:	.quad 0
p_stack: .quad 0
p_entry: .quad 0
p_arg:	.quad 0
ap_tramp_end:

	.section .note.GNU-stack, "", @progbits
