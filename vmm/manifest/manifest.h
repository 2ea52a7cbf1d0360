/*
 * The boot-time manifest: which VMs Ditto starts and how (docs/manifest.md).
 *
 * GRUB loads the manifest as a multiboot2 module whose string is "manifest".
 * manifest_load() parses it (a TOML subset), applies the schema (schema.c),
 * and checks it against a description of the host (check.c). It never starts
 * anything: on any error it returns -EINVAL with every error recorded in
 * *errs, and the caller must refuse to start any VM.
 *
 * Bounded by construction: the input is at most MANIFEST_MAX_FILE bytes, lines
 * at most MANIFEST_MAX_LINE, every string lands in a fixed-size field, and
 * nothing is allocated: the caller provides *out and *errs (about 70 KiB
 * together: give them static or heap storage, never the stack).
 */
#ifndef DITTO_VMM_MANIFEST_H
#define DITTO_VMM_MANIFEST_H

#include "ditto/env.h"

#define MANIFEST_MAX_FILE (64u * 1024)	/* bytes of manifest text */
#define MANIFEST_MAX_LINE 4096u		/* bytes per line, without newline */
#define MANIFEST_MAX_VMS 16u
#define MANIFEST_MAX_MODULES 32u	/* entries of [modules] */
#define MANIFEST_MAX_ARRAY 64u		/* elements of an [array] */
#define MANIFEST_MAX_CPUS 64u		/* CPU ids a VM can be pinned to */
#define MANIFEST_MAX_DEPTH 2u		/* [a.b] is as deep as tables go */
#define MANIFEST_NAME_MAX 32u		/* VM names, trust groups, tags (+NUL) */
#define MANIFEST_PATH_MAX 256u		/* [modules] file paths (+NUL) */
#define MANIFEST_CMDLINE_MAX 2048u	/* guest command line (+NUL), Linux x86 */
#define MANIFEST_MAX_ERRORS 64u		/* recorded; more are only counted */
#define MANIFEST_MSG_MAX 200u
#define MANIFEST_FIELD_MAX 40u
#define MANIFEST_CTX_MAX 48u

enum manifest_boot {
	MANIFEST_BOOT_LINUX,	  /* Linux x86 boot protocol, bzImage */
	MANIFEST_BOOT_MULTIBOOT2, /* multiboot2 ELF kernel */
	MANIFEST_BOOT_MULTIBOOT,  /* multiboot v1 kernel */
	MANIFEST_BOOT_FLAT,	  /* flat binary test image */
};

enum manifest_host_console { MANIFEST_HCON_SERIAL, MANIFEST_HCON_VGA,
			     MANIFEST_HCON_BOTH, MANIFEST_HCON_NONE };
/* serial: guest output on the host console, each line prefixed with the VM
 * name; log: kept in the VM's log ring only; none: discarded. */
enum manifest_vm_console { MANIFEST_VCON_SERIAL, MANIFEST_VCON_LOG,
			   MANIFEST_VCON_NONE };
enum manifest_power { MANIFEST_POWER_BALANCED, MANIFEST_POWER_PERFORMANCE,
		      MANIFEST_POWER_POWERSAVE };
enum manifest_sched_policy { MANIFEST_SCHED_CREDIT, MANIFEST_SCHED_RR };

/* Where a key was written (line 0: not written, the default applies). */
struct manifest_pos {
	uint32_t line, col;
};

/* Number of keys in the schema (schema.h lists them); checked there. */
#define MANIFEST_NKEYS 37u

struct manifest_vm {
	char name[MANIFEST_NAME_MAX];
	uint32_t vcpus;
	uint64_t memory; /* bytes, multiple of 4 KiB */
	enum manifest_boot boot;
	char kernel[MANIFEST_NAME_MAX]; /* module tag */
	char initrd[MANIFEST_NAME_MAX]; /* module tag, "" = none */
	char cmdline[MANIFEST_CMDLINE_MAX];
	/* Scheduler: weight is relative; cap and reservation are percent of
	 * one CPU (100 = one whole CPU; cap 0 = uncapped). */
	uint32_t weight, cap, reservation;
	uint64_t pin_mask; /* bit n: may run on CPU n; 0 = any CPU */
	/* Memory engine (defaults from [memory]). */
	bool share, patch, compress;
	char trust_group[MANIFEST_NAME_MAX]; /* default: the VM's name */
	enum manifest_power power;
	uint32_t forks;
	enum manifest_vm_console console;
	/* QEMU-compatible test devices ([vm.devices]). */
	bool debug_exit;
	uint16_t debug_exit_port;
	uint8_t debug_exit_size;
	bool fw_cfg;

	uint32_t line;	       /* of its [[vm]] header */
	uint32_t devices_line; /* of its [vm.devices] header, 0 = none */
	struct manifest_pos pos[MANIFEST_NKEYS];
};

struct manifest_file_module {
	char tag[MANIFEST_NAME_MAX];
	char path[MANIFEST_PATH_MAX];
	uint32_t line;
};

struct manifest {
	struct {
		enum manifest_host_console console;
		uint16_t serial_port;
		uint32_t baud;
		bool banner;
	} host;
	struct { /* memory-engine defaults and tuning */
		bool share, patch, compress;
		uint32_t scan_rate;	  /* pages per second */
		uint32_t cold_age_ms;	  /* age before compression */
		uint32_t patch_max;	  /* bytes; bigger patches are dropped */
		uint32_t compress_max;	  /* bytes; worse ratios are dropped */
	} mem;
	struct {
		enum manifest_sched_policy policy;
		uint32_t timeslice_us;
		uint32_t default_weight;
		uint32_t overcommit; /* vCPUs per host CPU, at most */
	} sched;
	uint32_t nmodules;
	struct manifest_file_module modules[MANIFEST_MAX_MODULES];
	uint32_t nvms;
	struct manifest_vm vms[MANIFEST_MAX_VMS];
	struct manifest_pos pos[MANIFEST_NKEYS];
	uint32_t table_line[8]; /* internal: header line of each global table */
};

/* A module GRUB passed: its string (the tag) and size in bytes (0: unknown). */
struct manifest_module {
	const char *tag;
	uint64_t size;
};

/*
 * The host the manifest is checked against. The kernel passes the real one;
 * ditto-manifest a given one. Zero cpus or memory_bytes means "do not check".
 * any_module: accept every tag (the host tool when no --module is given).
 */
struct manifest_host {
	uint32_t cpus;
	uint64_t memory_bytes;
	const struct manifest_module *modules;
	size_t nmodules;
	bool any_module;
};

struct manifest_error {
	uint32_t line, col;
	int vm; /* index into vms, -1: not about one VM */
	char ctx[MANIFEST_CTX_MAX];	/* "vm \"web\"", "host", "" */
	char field[MANIFEST_FIELD_MAX]; /* "memory", "devices.fw_cfg", "" */
	char msg[MANIFEST_MSG_MAX];
};

struct manifest_errors {
	uint32_t count;	  /* recorded in e[] */
	uint32_t dropped; /* beyond MANIFEST_MAX_ERRORS, counted only */
	struct manifest_error e[MANIFEST_MAX_ERRORS];
};

/*
 * Parses and checks text[0..len) (need not be NUL-terminated). Returns 0 with
 * *out filled and errs->count == 0, or -EINVAL (or -E2BIG for an oversized
 * file) with every error in *errs, sorted by line and column; *out is then
 * unusable. Never allocates.
 */
int manifest_load(const char *text, size_t len, const struct manifest_host *host,
		  struct manifest *out, struct manifest_errors *errs);

/* "FILE:LINE:COL: CTX: FIELD: MESSAGE" into buf (always NUL-terminated);
 * returns the length it wanted (like snprintf). */
size_t manifest_error_format(const struct manifest_error *e, const char *file,
			     char *buf, size_t size);

/* Prints every error, one line each, through env_printf; file is the name
 * to print ("manifest" in the kernel). */
void manifest_print_errors(const struct manifest_errors *errs, const char *file);

/* Prints the parsed manifest (the boot banner), through env_printf. */
void manifest_dump(const struct manifest *m);

/* Names of enum values, for dumps and tools. */
const char *manifest_boot_name(enum manifest_boot b);

/* "512M", "2G", "64KiB", "4096" (bytes) -> *out; false if not a size. */
bool manifest_parse_size(const char *s, size_t n, uint64_t *out);

/* Index of the VM named name, or -1. */
int manifest_find_vm(const struct manifest *m, const char *name);

#endif
