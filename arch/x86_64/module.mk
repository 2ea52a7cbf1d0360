KERNEL_S += arch/x86_64/idt_entry.S arch/x86_64/ap_boot.S
KERNEL_C += arch/x86_64/percpu.c arch/x86_64/idt.c arch/x86_64/panic.c arch/x86_64/paging.c arch/x86_64/smp.c
