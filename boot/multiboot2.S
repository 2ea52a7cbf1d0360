/*
 * Multiboot2 header and entry (Multiboot2 spec 3.1, 3.3): GRUB enters here in
 * 32-bit protected mode, paging off, EAX = magic, EBX = physical address of
 * the boot information. We build boot page tables (identity + direct map of
 * the low 4 GiB, kernel image at KERNEL_VMA), enter long mode (SDM Vol. 3A
 * 9.8.5) and jump to the kernel's 64-bit C entry.
 */
#include <arch/layout.h>

#define MB2_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289
#define MB2_ARCH_I386 0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.short 0
	.short 0
	.long 8
mb2_header_end:

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4 * 4096
boot_tables_end:
boot_stack: .skip 4096
boot_stack_top:

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.globl boot_mb2_magic, boot_mb2_info
boot_mb2_magic: .long 0
boot_mb2_info: .long 0

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %eax, boot_mb2_magic
	movl %ebx, boot_mb2_info

	/* Long mode present? (CPUID 0x80000001 EDX bit 29) */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* Zero the boot tables. */
	movl $boot_pml4, %edi
	movl $(boot_tables_end - boot_pml4) / 4, %ecx
	xorl %eax, %eax
	rep stosl

	/* 4 page directories of 2 MiB pages: identity map of 0..4 GiB. */
	movl $boot_pd, %edi
	movl $0x83, %eax		/* present | writable | PS */
	xorl %edx, %edx
	movl $2048, %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 1b

	/* PDPT low: 4 x 1 GiB directories. */
	movl $boot_pdpt_low, %edi
	movl $boot_pd + 3, %eax
	movl $4, %ecx
2:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 2b

	/* PDPT high: slot 510 = first GiB (KERNEL_VMA maps physical 0). */
	movl $boot_pd + 3, %eax
	movl %eax, boot_pdpt_high + 510 * 8

	/* PML4: 0 = identity, 256 = direct map, 511 = kernel. */
	movl $boot_pdpt_low + 3, %eax
	movl %eax, boot_pml4
	movl %eax, boot_pml4 + 256 * 8
	movl $boot_pdpt_high + 3, %eax
	movl %eax, boot_pml4 + 511 * 8

	/* CR4.PAE, CR3, EFER.LME|NXE, CR0.PG|WP */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $SEL_KCODE, $boot_long_mode

no_long_mode:
	/* Say so on COM1 and stop: nothing else can run. */
	movl $msg_no_lm, %esi
3:	movb (%esi), %al
	testb %al, %al
	jz 4f
	movw $0x3f8, %dx
	outb %al, %dx
	incl %esi
	jmp 3b
4:	hlt
	jmp 4b
msg_no_lm: .asciz "ditto: this CPU has no long mode\r\n"

	.code64
boot_long_mode:
	movw $SEL_KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $kernel_boot_stack_top, %rsp
	xorl %ebp, %ebp
	movabsq $kernel_entry64, %rax
	jmp *%rax

	.section .text.entry, "ax"
	.globl kernel_entry64
kernel_entry64:
	/* Zero .bss (GRUB does, but the spec does not promise it). */
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movl boot_mb2_magic, %edi
	movl boot_mb2_info, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .bss
	.balign 16
	.globl kernel_boot_stack
kernel_boot_stack: .skip KSTACK_SIZE
kernel_boot_stack_top:
