/* Architectural bit layouts and MSR numbers, defined once (Intel SDM Vol. 3A/4). */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#define BIT(n) (1ull << (n))

/* CR0 (SDM 2.5) */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)
/* CR4 (SDM 2.5) */
#define CR4_VME BIT(0)
#define CR4_PVI BIT(1)
#define CR4_TSD BIT(2)
#define CR4_DE BIT(3)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_MCE BIT(6)
#define CR4_PGE BIT(7)
#define CR4_PCE BIT(8)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_UMIP BIT(11)
#define CR4_VMXE BIT(13)
#define CR4_SMXE BIT(14)
#define CR4_FSGSBASE BIT(16)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)

/* RFLAGS */
#define RFLAGS_CF BIT(0)
#define RFLAGS_FIXED BIT(1)
#define RFLAGS_ZF BIT(6)
#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)
#define RFLAGS_DF BIT(10)
#define RFLAGS_VM BIT(17)

/* MSRs (SDM Vol. 4) */
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_TSC_ADJUST 0x3b
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_DEBUGCTL 0x1d9
#define MSR_IA32_PAT 0x277
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#define MSR_IA32_EFER 0xc0000080
#define MSR_IA32_STAR 0xc0000081
#define MSR_IA32_LSTAR 0xc0000082
#define MSR_IA32_CSTAR 0xc0000083
#define MSR_IA32_FMASK 0xc0000084
#define MSR_IA32_FS_BASE 0xc0000100
#define MSR_IA32_GS_BASE 0xc0000101
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_TSC_AUX 0xc0000103

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_X2APIC BIT(10)
#define APIC_BASE_ENABLE BIT(11)

/* Page-table entries (SDM 4.5, Table 4-15..4-20) */
#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_U BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_G BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* Exception vectors (SDM 6.3.1) */
#define EXC_DE 0
#define EXC_DB 1
#define EXC_NMI 2
#define EXC_BP 3
#define EXC_OF 4
#define EXC_BR 5
#define EXC_UD 6
#define EXC_NM 7
#define EXC_DF 8
#define EXC_TS 10
#define EXC_NP 11
#define EXC_SS 12
#define EXC_GP 13
#define EXC_PF 14
#define EXC_MF 16
#define EXC_AC 17
#define EXC_MC 18
#define EXC_XM 19
#define EXC_VE 20
#define EXC_CP 21

#endif
