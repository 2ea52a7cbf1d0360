/*
 * VMCS field encodings (SDM Vol. 3D Appendix B), defined once. The width is
 * part of each name's entry so the typed accessors can check it:
 *   X(name, encoding, width)   width: 16, 32, 64, N (natural)
 */
#ifndef VMX_VMCS_FIELDS_H
#define VMX_VMCS_FIELDS_H

#define VMCS_FIELDS(X)                                                         \
	/* 16-bit control */                                                   \
	X(VPID, 0x0000, 16)                                                    \
	/* 16-bit guest state */                                               \
	X(GUEST_ES_SEL, 0x0800, 16) X(GUEST_CS_SEL, 0x0802, 16)                \
	X(GUEST_SS_SEL, 0x0804, 16) X(GUEST_DS_SEL, 0x0806, 16)                \
	X(GUEST_FS_SEL, 0x0808, 16) X(GUEST_GS_SEL, 0x080a, 16)                \
	X(GUEST_LDTR_SEL, 0x080c, 16) X(GUEST_TR_SEL, 0x080e, 16)              \
	X(GUEST_INTR_STATUS, 0x0810, 16)                                       \
	/* 16-bit host state */                                                \
	X(HOST_ES_SEL, 0x0c00, 16) X(HOST_CS_SEL, 0x0c02, 16)                  \
	X(HOST_SS_SEL, 0x0c04, 16) X(HOST_DS_SEL, 0x0c06, 16)                  \
	X(HOST_FS_SEL, 0x0c08, 16) X(HOST_GS_SEL, 0x0c0a, 16)                  \
	X(HOST_TR_SEL, 0x0c0c, 16)                                             \
	/* 64-bit control */                                                   \
	X(IO_BITMAP_A, 0x2000, 64) X(IO_BITMAP_B, 0x2002, 64)                  \
	X(MSR_BITMAP, 0x2004, 64) X(EXIT_MSR_STORE_ADDR, 0x2006, 64)           \
	X(EXIT_MSR_LOAD_ADDR, 0x2008, 64) X(ENTRY_MSR_LOAD_ADDR, 0x200a, 64)   \
	X(TSC_OFFSET, 0x2010, 64) X(VIRTUAL_APIC_PAGE, 0x2012, 64)             \
	X(APIC_ACCESS_ADDR, 0x2014, 64) X(EPT_POINTER, 0x201a, 64)             \
	/* 64-bit read-only */                                                 \
	X(GUEST_PHYSICAL_ADDR, 0x2400, 64)                                     \
	/* 64-bit guest state */                                               \
	X(VMCS_LINK_POINTER, 0x2800, 64) X(GUEST_IA32_DEBUGCTL, 0x2802, 64)    \
	X(GUEST_IA32_PAT, 0x2804, 64) X(GUEST_IA32_EFER, 0x2806, 64)           \
	X(GUEST_PDPTE0, 0x280a, 64) X(GUEST_PDPTE1, 0x280c, 64)                \
	X(GUEST_PDPTE2, 0x280e, 64) X(GUEST_PDPTE3, 0x2810, 64)                \
	/* 64-bit host state */                                                \
	X(HOST_IA32_PAT, 0x2c00, 64) X(HOST_IA32_EFER, 0x2c02, 64)             \
	/* 32-bit control */                                                   \
	X(PIN_CONTROLS, 0x4000, 32) X(PROC_CONTROLS, 0x4002, 32)               \
	X(EXCEPTION_BITMAP, 0x4004, 32) X(PF_ERROR_MASK, 0x4006, 32)           \
	X(PF_ERROR_MATCH, 0x4008, 32) X(CR3_TARGET_COUNT, 0x400a, 32)          \
	X(EXIT_CONTROLS, 0x400c, 32) X(EXIT_MSR_STORE_COUNT, 0x400e, 32)       \
	X(EXIT_MSR_LOAD_COUNT, 0x4010, 32) X(ENTRY_CONTROLS, 0x4012, 32)       \
	X(ENTRY_MSR_LOAD_COUNT, 0x4014, 32) X(ENTRY_INTR_INFO, 0x4016, 32)     \
	X(ENTRY_EXCEPTION_ERROR, 0x4018, 32) X(ENTRY_INSTR_LEN, 0x401a, 32)    \
	X(TPR_THRESHOLD, 0x401c, 32) X(PROC_CONTROLS2, 0x401e, 32)             \
	/* 32-bit read-only */                                                 \
	X(VM_INSTRUCTION_ERROR, 0x4400, 32) X(EXIT_REASON, 0x4402, 32)         \
	X(EXIT_INTR_INFO, 0x4404, 32) X(EXIT_INTR_ERROR, 0x4406, 32)           \
	X(IDT_VECTORING_INFO, 0x4408, 32) X(IDT_VECTORING_ERROR, 0x440a, 32)   \
	X(EXIT_INSTR_LEN, 0x440c, 32) X(EXIT_INSTR_INFO, 0x440e, 32)           \
	/* 32-bit guest state */                                               \
	X(GUEST_ES_LIMIT, 0x4800, 32) X(GUEST_CS_LIMIT, 0x4802, 32)            \
	X(GUEST_SS_LIMIT, 0x4804, 32) X(GUEST_DS_LIMIT, 0x4806, 32)            \
	X(GUEST_FS_LIMIT, 0x4808, 32) X(GUEST_GS_LIMIT, 0x480a, 32)            \
	X(GUEST_LDTR_LIMIT, 0x480c, 32) X(GUEST_TR_LIMIT, 0x480e, 32)          \
	X(GUEST_GDTR_LIMIT, 0x4810, 32) X(GUEST_IDTR_LIMIT, 0x4812, 32)        \
	X(GUEST_ES_AR, 0x4814, 32) X(GUEST_CS_AR, 0x4816, 32)                  \
	X(GUEST_SS_AR, 0x4818, 32) X(GUEST_DS_AR, 0x481a, 32)                  \
	X(GUEST_FS_AR, 0x481c, 32) X(GUEST_GS_AR, 0x481e, 32)                  \
	X(GUEST_LDTR_AR, 0x4820, 32) X(GUEST_TR_AR, 0x4822, 32)                \
	X(GUEST_INTERRUPTIBILITY, 0x4824, 32) X(GUEST_ACTIVITY, 0x4826, 32)    \
	X(GUEST_SYSENTER_CS, 0x482a, 32) X(PREEMPTION_TIMER, 0x482e, 32)       \
	/* 32-bit host state */                                                \
	X(HOST_SYSENTER_CS, 0x4c00, 32)                                        \
	/* natural-width control */                                            \
	X(CR0_GUEST_HOST_MASK, 0x6000, N) X(CR4_GUEST_HOST_MASK, 0x6002, N)    \
	X(CR0_READ_SHADOW, 0x6004, N) X(CR4_READ_SHADOW, 0x6006, N)            \
	/* natural-width read-only */                                          \
	X(EXIT_QUALIFICATION, 0x6400, N) X(GUEST_LINEAR_ADDR, 0x640a, N)       \
	/* natural-width guest state */                                        \
	X(GUEST_CR0, 0x6800, N) X(GUEST_CR3, 0x6802, N) X(GUEST_CR4, 0x6804, N) \
	X(GUEST_ES_BASE, 0x6806, N) X(GUEST_CS_BASE, 0x6808, N)                \
	X(GUEST_SS_BASE, 0x680a, N) X(GUEST_DS_BASE, 0x680c, N)                \
	X(GUEST_FS_BASE, 0x680e, N) X(GUEST_GS_BASE, 0x6810, N)                \
	X(GUEST_LDTR_BASE, 0x6812, N) X(GUEST_TR_BASE, 0x6814, N)              \
	X(GUEST_GDTR_BASE, 0x6816, N) X(GUEST_IDTR_BASE, 0x6818, N)            \
	X(GUEST_DR7, 0x681a, N) X(GUEST_RSP, 0x681c, N) X(GUEST_RIP, 0x681e, N) \
	X(GUEST_RFLAGS, 0x6820, N) X(GUEST_PENDING_DBG, 0x6822, N)             \
	X(GUEST_SYSENTER_ESP, 0x6824, N) X(GUEST_SYSENTER_EIP, 0x6826, N)      \
	/* natural-width host state */                                         \
	X(HOST_CR0, 0x6c00, N) X(HOST_CR3, 0x6c02, N) X(HOST_CR4, 0x6c04, N)   \
	X(HOST_FS_BASE, 0x6c06, N) X(HOST_GS_BASE, 0x6c08, N)                  \
	X(HOST_TR_BASE, 0x6c0a, N) X(HOST_GDTR_BASE, 0x6c0c, N)                \
	X(HOST_IDTR_BASE, 0x6c0e, N) X(HOST_SYSENTER_ESP, 0x6c10, N)           \
	X(HOST_SYSENTER_EIP, 0x6c12, N) X(HOST_RSP, 0x6c14, N)                 \
	X(HOST_RIP, 0x6c16, N)

enum vmcs_field {
#define VMCS_ENUM(name, enc, w) VMCS_##name = enc,
	VMCS_FIELDS(VMCS_ENUM)
#undef VMCS_ENUM
};

/* Control bits (SDM Vol. 3C 25.6, 25.7, 25.8) */
#define PIN_EXT_INTR_EXIT (1u << 0)
#define PIN_NMI_EXIT (1u << 3)
#define PIN_VIRTUAL_NMI (1u << 5)
#define PIN_PREEMPT_TIMER (1u << 6)

#define PROC_INTR_WINDOW (1u << 2)
#define PROC_TSC_OFFSET (1u << 3)
#define PROC_HLT_EXIT (1u << 7)
#define PROC_INVLPG_EXIT (1u << 9)
#define PROC_MWAIT_EXIT (1u << 10)
#define PROC_RDPMC_EXIT (1u << 11)
#define PROC_RDTSC_EXIT (1u << 12)
#define PROC_CR3_LOAD_EXIT (1u << 15)
#define PROC_CR3_STORE_EXIT (1u << 16)
#define PROC_CR8_LOAD_EXIT (1u << 19)
#define PROC_CR8_STORE_EXIT (1u << 20)
#define PROC_TPR_SHADOW (1u << 21)
#define PROC_NMI_WINDOW (1u << 22)
#define PROC_MOV_DR_EXIT (1u << 23)
#define PROC_UNCOND_IO_EXIT (1u << 24)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MTF (1u << 27)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXIT (1u << 29)
#define PROC_PAUSE_EXIT (1u << 30)
#define PROC_SECONDARY (1u << 31)

#define PROC2_VIRT_APIC_ACCESS (1u << 0)
#define PROC2_EPT (1u << 1)
#define PROC2_DESC_TABLE_EXIT (1u << 2)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_VIRT_X2APIC (1u << 4)
#define PROC2_VPID (1u << 5)
#define PROC2_WBINVD_EXIT (1u << 6)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID (1u << 12)
#define PROC2_XSAVES (1u << 20)

#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_LONG_MODE (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define EXIT_SAVE_PREEMPT (1u << 22)

#define ENTRY_LOAD_DEBUG (1u << 2)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* VM-entry interruption information (SDM 25.8.3) and exit/IDT-vectoring
 * information (25.9.2-3) share this layout. */
#define INTR_INFO_VECTOR(x) ((x) & 0xff)
#define INTR_INFO_TYPE(x) (((x) >> 8) & 7)
#define INTR_INFO_ERR_VALID (1u << 11)
#define INTR_INFO_NMI_UNBLOCK (1u << 12)
#define INTR_INFO_VALID (1u << 31)
#define INTR_TYPE_EXT 0
#define INTR_TYPE_NMI 2
#define INTR_TYPE_HW_EXC 3
#define INTR_TYPE_SW_INT 4
#define INTR_TYPE_PRIV_SW_EXC 5
#define INTR_TYPE_SW_EXC 6

/* Guest interruptibility (SDM 25.4.2, Table 25-3) */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOVSS (1u << 1)
#define INTERRUPTIBILITY_NMI (1u << 3)

/* Segment access rights (SDM 25.4.1) */
#define AR_UNUSABLE (1u << 16)

#endif
