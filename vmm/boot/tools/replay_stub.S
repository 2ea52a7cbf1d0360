/*
 * Boot-blob replay stub (tests/linux/qemu-boot.sh): a multiboot (v1) kernel
 * for QEMU's -kernel that copies the records of the boot blob it gets as its
 * one module (linux-loadcheck --dump) to their guest-physical addresses and
 * then enters the loader's entry state exactly as struct vcpu_boot describes
 * it: the loader's GDT and CR3, CR4.PAE, EFER.LME, CR0.PG, CS 0x10,
 * DS/ES/SS/FS/GS 0x18, RSI and RSP, interrupts off, a jump to RIP. So the
 * loader's page tables, GDT and zero page run a real kernel on an emulated
 * CPU before Ditto's VMX path does. Linked at 96 MiB (LINK_ADDR), above
 * everything the blob writes into a 256 MiB machine.
 *
 * Multiboot specification 0.6.96: header magic 0x1BADB002; EAX = 0x2BADB002
 * and EBX = multiboot information at entry (mods_count at +20, mods_addr at
 * +24; a module is mod_start, mod_end).
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x3 /* page-aligned modules, memory information */
#define MSR_EFER 0xc0000080

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	mov $stack_top, %esp
	cmp $0x2badb002, %eax
	jne fail
	cmpl $1, 20(%ebx)          /* mods_count */
	jb fail
	mov 24(%ebx), %eax         /* mods_addr */
	mov (%eax), %esi           /* mod_start: the blob */
copy:
	mov (%esi), %edi           /* gpa (below 4 GiB) */
	mov 8(%esi), %ecx          /* length */
	add $16, %esi
	test %ecx, %ecx
	jz state
	rep movsb
	jmp copy
state:
	mov %esi, %ebp             /* rip, rsi, rsp, cr3, gdt_base, gdt_limit */
	mov 40(%ebp), %eax
	mov %ax, gdtr
	mov 32(%ebp), %eax
	mov %eax, gdtr + 2
	lgdt gdtr
	mov %cr4, %eax
	or $0x20, %eax             /* PAE */
	mov %eax, %cr4
	mov 24(%ebp), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $0x100, %eax            /* LME */
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax       /* PG WP PE */
	mov %eax, %cr0
	ljmp $0x10, $long64        /* the loader's __BOOT_CS */

	.code64
long64:
	mov $0x18, %eax            /* the loader's __BOOT_DS */
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov %ebp, %ebp             /* zero-extend the state pointer */
	mov 0(%rbp), %rax
	mov 8(%rbp), %rsi
	mov 16(%rbp), %rsp
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	xor %edi, %edi
	xor %ebp, %ebp
	jmp *%rax

	.code32
fail:
	hlt
	jmp fail

	.data
	.align 8
gdtr:
	.word 0
	.long 0

	.bss
	.align 16
	.space 4096
stack_top:
