/*
 * int vmx_run(struct vcpu_regs *regs, int launched)
 *
 * Enters the guest on the current VMCS and returns 0 at its next VM exit, or
 * 1 if VMLAUNCH/VMRESUME failed (the caller reads the VM-instruction error).
 * The host resumes at vmx_exit (HOST_RIP) on the stack this call left
 * (HOST_RSP, written here every entry), restores its callee-saved registers
 * and returns like a function. Guest GPRs (not RSP, which the VMCS holds)
 * and CR2 are swapped here (SDM Vol. 3C 27.5: VM exits load RSP/RIP only).
 * struct vcpu_regs: gpr[16] by instruction-set number, then cr2.
 */
#define HOST_RSP 0x6c14
#define R(n) (8 * (n))

	.text
	.globl vmx_run
vmx_run:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* regs, for the exit path */
	movl $HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe 2f				/* CF or ZF: the VMWRITE failed */
	movq 128(%rdi), %rax
	movq %rax, %cr2
	movl %esi, %r8d			/* launched? (before r8 is loaded) */
	testl %r8d, %r8d
	movq R(0)(%rdi), %rax
	movq R(1)(%rdi), %rcx
	movq R(2)(%rdi), %rdx
	movq R(3)(%rdi), %rbx
	movq R(5)(%rdi), %rbp
	movq R(6)(%rdi), %rsi
	movq R(8)(%rdi), %r8
	movq R(9)(%rdi), %r9
	movq R(10)(%rdi), %r10
	movq R(11)(%rdi), %r11
	movq R(12)(%rdi), %r12
	movq R(13)(%rdi), %r13
	movq R(14)(%rdi), %r14
	movq R(15)(%rdi), %r15
	movq R(7)(%rdi), %rdi		/* last: it was the pointer */
	jnz 1f				/* flags from testl survive the movs */
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* VM entry failed: guest values may be in registers; the stack is intact. */
	popq %rdi
	movl $1, %eax
	jmp 3f

	.globl vmx_exit
vmx_exit:
	pushq %rdi			/* guest RDI */
	movq 8(%rsp), %rdi		/* regs */
	movq %rax, R(0)(%rdi)
	movq %rcx, R(1)(%rdi)
	movq %rdx, R(2)(%rdi)
	movq %rbx, R(3)(%rdi)
	movq %rbp, R(5)(%rdi)
	movq %rsi, R(6)(%rdi)
	movq %r8, R(8)(%rdi)
	movq %r9, R(9)(%rdi)
	movq %r10, R(10)(%rdi)
	movq %r11, R(11)(%rdi)
	movq %r12, R(12)(%rdi)
	movq %r13, R(13)(%rdi)
	movq %r14, R(14)(%rdi)
	movq %r15, R(15)(%rdi)
	popq %rax
	movq %rax, R(7)(%rdi)
	movq %cr2, %rax
	movq %rax, 128(%rdi)
	popq %rdi
	xorl %eax, %eax
3:	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
