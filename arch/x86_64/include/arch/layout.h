/* Ditto's virtual memory layout, defined once (C and assembly). */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

/* Kernel image: top 2 GiB, at KERNEL_VMA + physical (linker.ld). */
#define KERNEL_VMA 0xffffffff80000000
/* Direct map of RAM: PML4 slot 256. */
#define DIRECT_MAP_BASE 0xffff800000000000
/* Window for device MMIO and firmware tables, mapped 4 KiB at a time. */
#define IOMAP_BASE 0xffffc00000000000
#define IOMAP_SIZE (1ull << 30)

#define PAGE_SIZE 4096
#define MAX_CPUS 64
/* Per-CPU kernel stack and exception (IST) stacks. */
#define KSTACK_SIZE (16 * 1024)
#define ISTACK_SIZE (8 * 1024)

/* Selectors of the per-CPU GDT (arch/x86_64/gdt.c). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x18

#endif
