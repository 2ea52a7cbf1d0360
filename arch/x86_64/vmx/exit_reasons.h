/* Basic VM-exit reasons (SDM Vol. 3D Appendix C), defined once. */
#ifndef VMX_EXIT_REASONS_H
#define VMX_EXIT_REASONS_H

#define EXIT_REASONS(X)                                                        \
	X(0, EXCEPTION_NMI) X(1, EXTERNAL_INTERRUPT) X(2, TRIPLE_FAULT)        \
	X(3, INIT) X(4, SIPI) X(5, IO_SMI) X(6, OTHER_SMI)                     \
	X(7, INTERRUPT_WINDOW) X(8, NMI_WINDOW) X(9, TASK_SWITCH)              \
	X(10, CPUID) X(11, GETSEC) X(12, HLT) X(13, INVD) X(14, INVLPG)        \
	X(15, RDPMC) X(16, RDTSC) X(17, RSM) X(18, VMCALL) X(19, VMCLEAR)      \
	X(20, VMLAUNCH) X(21, VMPTRLD) X(22, VMPTRST) X(23, VMREAD)            \
	X(24, VMRESUME) X(25, VMWRITE) X(26, VMXOFF) X(27, VMXON)              \
	X(28, CR_ACCESS) X(29, DR_ACCESS) X(30, IO_INSTRUCTION)                \
	X(31, RDMSR) X(32, WRMSR) X(33, ENTRY_FAIL_GUEST_STATE)                \
	X(34, ENTRY_FAIL_MSR_LOAD) X(36, MWAIT) X(37, MONITOR_TRAP_FLAG)       \
	X(39, MONITOR) X(40, PAUSE) X(41, ENTRY_FAIL_MACHINE_CHECK)            \
	X(43, TPR_BELOW_THRESHOLD) X(44, APIC_ACCESS) X(45, VIRTUALIZED_EOI)   \
	X(46, GDTR_IDTR_ACCESS) X(47, LDTR_TR_ACCESS) X(48, EPT_VIOLATION)     \
	X(49, EPT_MISCONFIG) X(50, INVEPT) X(51, RDTSCP)                       \
	X(52, PREEMPTION_TIMER) X(53, INVVPID) X(54, WBINVD) X(55, XSETBV)     \
	X(56, APIC_WRITE) X(57, RDRAND) X(58, INVPCID) X(59, VMFUNC)           \
	X(60, ENCLS) X(61, RDSEED) X(62, PML_FULL) X(63, XSAVES)               \
	X(64, XRSTORS) X(66, SPP) X(67, UMWAIT) X(68, TPAUSE)                  \
	X(69, LOADIWKEY)

enum exit_reason {
#define EXIT_ENUM(n, name) EXIT_##name = n,
	EXIT_REASONS(EXIT_ENUM)
#undef EXIT_ENUM
	EXIT_REASON_MAX = 70
};

const char *exit_reason_name(unsigned reason);
#endif
