/* A real-mode guest (unrestricted guest: no emulation of real mode needed).
 * Loaded at 0x8000, entered at CS:IP = 0800:0000. Reports through VMCALL
 * with 32-bit registers (operand-size prefixes are fine in real mode). */
	.code16
	.section .text.start, "ax"
	.globl _start
_start:
	movw %cs, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0xff00, %sp
	/* CPUID in real mode, check the hypervisor signature's first word. */
	movl $0x40000000, %eax
	cpuid
	xorl %edi, %edi
	cmpl $0x74746944, %ebx		/* "Ditt" */
	sete %al
	movzbl %al, %edx
	movl $16, %eax			/* HC_TEST_CASE */
	movl $name1 + 0x8000, %ebx
	movl $name1_end - name1, %ecx
	vmcall
	/* Segment arithmetic: a store through ES = DS + 0x100 paragraphs. */
	movw %cs, %ax
	addw $0x100, %ax
	movw %ax, %es
	movw $0x1234, %es:(0)
	movw 0x1000, %ax		/* same byte through DS */
	xorl %edx, %edx
	cmpw $0x1234, %ax
	sete %dl
	movl $16, %eax
	movl $name2 + 0x8000, %ebx
	movl $name2_end - name2, %ecx
	vmcall
	movl $17, %eax			/* HC_TEST_DONE(1) */
	movl $1, %ebx
	vmcall
1:	hlt
	jmp 1b
name1: .ascii "cpuid_in_real_mode"
name1_end:
name2: .ascii "segmented_addressing"
name2_end:
	.section .note.GNU-stack, "", @progbits
