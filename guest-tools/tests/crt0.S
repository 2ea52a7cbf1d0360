/* Entry of a test guest: 32-bit, flat, paging off. Stack, .bss, gmain(),
 * then the verdict hypercall. */
	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	movl $__stack_top, %esp
	cld
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	call guest_init
	call gmain
	pushl %eax
	call guest_finish
1:	hlt
	jmp 1b
	.section .note.GNU-stack, "", @progbits
