/*
 * The boot CPU's path from multiboot2 to a running monitor:
 *   serial console -> boot information (validated) -> ACPI (early, through
 *   the boot tables) -> frames + heap -> Ditto's page tables -> GDT/TSS/IDT
 *   and per-CPU area -> local APIC and time (PIT-calibrated) -> self-tests
 *   -> banner -> the test named by ditto.test=, or the demo.
 */
#include "arch/paging.h"
#include "arch/panic.h"
#include "arch/percpu.h"
#include "arch/smp.h"
#include "arch/regs.h"
#include "arch/trap.h"
#include "arch/x86.h"
#include "boot/boot.h"
#include "boot/mb2.h"
#include "drivers/acpi.h"
#include "drivers/cmos.h"
#include "drivers/lapic.h"
#include "drivers/pit.h"
#include "drivers/uart.h"
#include "lib/cmdline.h"
#include "lib/console.h"
#include "lib/selftest.h"
#include "lib/time.h"
#include "mm/kmem.h"
#include "ditto/bits.h"

extern char kernel_boot_stack[];
struct boot_state boot;

static const char *mmap_type(uint32_t t)
{
	switch (t) {
	case MB2_MEM_AVAILABLE: return "available";
	case MB2_MEM_RESERVED: return "reserved";
	case MB2_MEM_ACPI_RECLAIMABLE: return "ACPI reclaimable";
	case MB2_MEM_NVS: return "ACPI NVS";
	case MB2_MEM_BADRAM: return "bad RAM";
	default: return "unknown";
	}
}

static void print_banner(void)
{
	const struct mb2_info *m = &boot.mb2;
	kprintf("Ditto %s: a hypervisor for x86-64 with VT-x and EPT\n", DITTO_VERSION);
	kprintf("command line: %s\n", m->cmdline ? m->cmdline : "");
	kprintf("boot loader: %s\n", m->loader_name ? m->loader_name : "?");
	kprintf("memory map (%zu entries):\n", m->n_mmap);
	for (size_t i = 0; i < m->n_mmap; i++)
		kprintf("  [0x%016llx-0x%016llx) %8llu KiB %s\n", (unsigned long long)m->mmap[i].base,
			(unsigned long long)(m->mmap[i].base + m->mmap[i].len),
			(unsigned long long)(m->mmap[i].len >> 10), mmap_type(m->mmap[i].type));
	kmem_print_stats();
	kprintf("ACPI: RSDP rev %u, OEM '%s', %zu tables:", acpi.rsdp_revision, acpi.oem_id,
		acpi.n_tables);
	for (size_t i = 0; i < acpi.n_tables; i++)
		kprintf(" %s", acpi.tables[i].sig);
	kprintf("\n");
	kprintf("CPUs in the MADT: %zu (LAPIC at 0x%llx)\n", acpi.n_cpus,
		(unsigned long long)acpi.lapic_addr);
	for (size_t i = 0; i < acpi.n_cpus; i++)
		kprintf("  cpu %zu: APIC id %u%s\n", i, acpi.cpus[i].apic_id,
			acpi.cpus[i].enabled ? "" : " (online-capable, disabled)");
	for (size_t i = 0; i < acpi.n_ioapics; i++)
		kprintf("  IOAPIC id %u at 0x%x, GSI base %u\n", acpi.ioapics[i].id, acpi.ioapics[i].addr,
			acpi.ioapics[i].gsi_base);
	for (size_t i = 0; i < acpi.n_isos; i++)
		kprintf("  override: IRQ %u -> GSI %u (flags 0x%x)\n", acpi.isos[i].source,
			acpi.isos[i].gsi, acpi.isos[i].flags);
	kprintf("power-off: PM1a_CNT 0x%x, S5 %s\n", acpi.pm1a_cnt, acpi.has_s5 ? "found" : "not found");
	kprintf("time: TSC %llu kHz, LAPIC timer %llu kHz, RTC %llu s since 1970\n",
		(unsigned long long)(tsc_hz / 1000), (unsigned long long)(lapic_timer_hz / 1000),
		(unsigned long long)boot.epoch_sec);
	kprintf("modules (%zu):\n", m->n_modules);
	for (size_t i = 0; i < m->n_modules; i++)
		kprintf("  [0x%llx-0x%llx) %llu bytes '%s'\n", (unsigned long long)m->modules[i].start,
			(unsigned long long)m->modules[i].end,
			(unsigned long long)(m->modules[i].end - m->modules[i].start),
			m->modules[i].cmdline);
}

static void timer_tick(struct trap_frame *f)
{
	(void)f;
	this_cpu()->timer_ticks++;
	lapic_eoi();
}

void kmain(uint32_t magic, uint32_t mbi_phys);
void kmain(uint32_t magic, uint32_t mbi_phys)
{
	char err[160];
	uart_init(COM1_PORT);
	kprintf("\n");
	/* Caches on (firmware may leave CD/NW set), native x87 errors (NE, which
	 * VMX operation also requires: SDM Vol. 3C A.7). */
	write_cr0((read_cr0() & ~(CR0_CD | CR0_NW | CR0_EM | CR0_TS)) | CR0_NE | CR0_MP);
	/* Exceptions from here on are reported, not silent triple faults. */
	percpu_init(percpu_boot(), 0, 0, (uint64_t)kernel_boot_stack + KSTACK_SIZE);
	idt_init();

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (magic 0x%x)", magic);
	/* The boot tables map the low 4 GiB at DIRECT_MAP_BASE; GRUB keeps the
	 * boot information there. Copy it: its frames are not reserved forever. */
	const uint32_t *raw = phys_to_virt(mbi_phys);
	if (mb2_parse(raw, raw[0] <= (1u << 20) ? raw[0] : 0, &boot.mb2, err, sizeof(err)))
		panic("boot information rejected: %s", err);
	char opt[32];
	if (cmdline_get(boot.mb2.cmdline, "ditto.dump_mbi", NULL, 0)) {
		/* Hex dump of the boot information: fixtures for host tests of mb2.c. */
		const uint8_t *b = (const uint8_t *)raw;
		for (uint32_t i = 0; i < boot.mb2.total_size; i++)
			kprintf("%02x%s", b[i], i % 32 == 31 ? "\n" : "");
		kprintf("\nmbi-dump-end\n");
	}
	if (cmdline_get(boot.mb2.cmdline, "ditto.on_panic", opt, sizeof(opt)) && !strcmp(opt, "exit"))
		panic_action = PANIC_EXIT;

	if (acpi_init(boot.mb2.rsdp))
		kprintf("acpi: tables unusable; continuing with one CPU and no power-off\n");
	struct frames_range acpi_ranges[ACPI_MAX_TABLES];
	for (size_t i = 0; i < acpi.n_tables; i++)
		acpi_ranges[i] = (struct frames_range){ acpi.tables[i].phys,
							acpi.tables[i].phys + acpi.tables[i].len };
	kmem_init(&boot.mb2, mbi_phys, acpi_ranges, acpi.n_tables);
	paging_init(&boot.mb2);
	kmem_lift_ceiling();

	pic_disable();
	if (lapic_init(acpi.lapic_addr ? acpi.lapic_addr : 0xfee00000))
		panic("local APIC unusable or timer calibration failed");
	this_cpu()->apic_id = lapic_id();
	if (time_init())
		panic("TSC calibration against the PIT failed");
	irq_register(VEC_TIMER, timer_tick);
	lapic_timer_periodic(BOOT_TICK_HZ);
	irq_enable();

	boot.epoch_sec = cmos_read_epoch();
	print_banner();
	smp_boot();
	boot.selftest_failures = selftest_run();
	kprintf("selftest: %d of 4 failed\n", popcount64(boot.selftest_failures));

	if (cmdline_get(boot.mb2.cmdline, "ditto.test", opt, sizeof(opt)))
		boot_run_test(opt);
	boot_demo();
}
