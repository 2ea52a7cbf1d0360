/*
 * Internals shared by the manifest's lexer, parser, schema, checker and
 * error reporting. Not for users of the manifest: they include manifest.h.
 */
#ifndef DITTO_VMM_MANIFEST_INTERNAL_H
#define DITTO_VMM_MANIFEST_INTERNAL_H

#include "vmm/manifest/manifest.h"

/* ---------------------------------------------------------------- text */
/* A bounded printf subset: %s %.*s %c %d %u %x %llu %llx %zu %%. Always
 * NUL-terminates; returns the length it wanted. No floating point. */
size_t mf_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t mf_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A byte size the way users write it: "512M", "2G", "4097" (bytes). */
void mf_size_str(uint64_t bytes, char *buf, size_t size);
/* Edit distance, bounded: returns > limit as soon as it is known to be. */
unsigned mf_distance(const char *a, size_t alen, const char *b, unsigned limit);

/* ---------------------------------------------------------------- schema */
enum mf_section {
	SEC_NONE,    /* before any [table] */
	SEC_HOST,
	SEC_MEMORY,
	SEC_SCHED,
	SEC_MODULES,
	SEC_VM,
	SEC_DEVICES, /* [vm.devices] of the last [[vm]] */
	SEC_SKIP,    /* after a bad header: keys ignored, already reported */
	SEC_COUNT
};

enum mf_type {
	MT_BOOL,
	MT_INT,
	MT_SIZE,    /* bytes: integer, or "512M"-style string */
	MT_ENUM,
	MT_NAME,    /* [a-z0-9][a-z0-9-]*: VM names, trust groups */
	MT_TAG,     /* module tag: [A-Za-z0-9._+-] */
	MT_TEXT,    /* printable ASCII: command lines */
	MT_CPULIST, /* array of CPU ids */
};

/* Every key, in the order of the schema table (schema.c). */
enum mf_key_id {
	MK_HOST_CONSOLE, MK_HOST_SERIAL_PORT, MK_HOST_BAUD, MK_HOST_BANNER,
	MK_MEM_SHARE, MK_MEM_PATCH, MK_MEM_COMPRESS, MK_MEM_SCAN_RATE,
	MK_MEM_COLD_AGE, MK_MEM_PATCH_MAX, MK_MEM_COMPRESS_MAX,
	MK_SCHED_POLICY, MK_SCHED_TIMESLICE, MK_SCHED_WEIGHT,
	MK_SCHED_OVERCOMMIT,
	MK_VM_NAME, MK_VM_VCPUS, MK_VM_MEMORY, MK_VM_BOOT, MK_VM_KERNEL,
	MK_VM_INITRD, MK_VM_CMDLINE, MK_VM_WEIGHT, MK_VM_CAP,
	MK_VM_RESERVATION, MK_VM_PIN, MK_VM_SHARE, MK_VM_PATCH,
	MK_VM_COMPRESS, MK_VM_TRUST_GROUP, MK_VM_POWER, MK_VM_FORKS,
	MK_VM_CONSOLE,
	MK_DEV_DEBUG_EXIT, MK_DEV_DEBUG_EXIT_PORT, MK_DEV_DEBUG_EXIT_SIZE,
	MK_DEV_FW_CFG,
	MK_COUNT,
	MK_NONE = 0xff
};

#define MF_REQUIRED 0x1 /* no default: a VM must set it */
#define MF_HEX 0x2	   /* shown in hex (I/O ports) */

struct mf_key {
	uint8_t id;	 /* enum mf_key_id, equal to the index in the table */
	uint8_t section; /* enum mf_section */
	uint8_t type;	 /* enum mf_type */
	uint8_t inherit; /* unset in a VM: copy this global key (or MK_NONE) */
	uint8_t flags;
	uint16_t size;	 /* of the field */
	uint32_t offset; /* in struct manifest (globals) or manifest_vm */
	const char *name;
	const char *field; /* as errors name it: "devices.fw_cfg" */
	int64_t min, max, def;
	const char *const *enums; /* MT_ENUM: names, NULL-terminated */
	const char *doc;
};

extern const struct mf_key mf_keys[MK_COUNT];
extern const char *const mf_section_names[SEC_COUNT];

const struct mf_key *mf_key_find(enum mf_section sec, const char *name, size_t len);
/* The known key of sec closest to name (a "did you mean" hint), or NULL. */
const char *mf_key_suggest(enum mf_section sec, const char *name, size_t len);
/* Another section that has a key of this name, or SEC_NONE. */
enum mf_section mf_key_elsewhere(enum mf_section sec, const char *name, size_t len);
const char *mf_enum_name(const struct mf_key *k, int64_t v);
void mf_apply_defaults(struct manifest *m);
void mf_vm_defaults(struct manifest_vm *vm);
/* After parsing: inherited defaults ([memory], [scheduler]), trust group. */
void mf_vm_finish(const struct manifest *m, struct manifest_vm *vm);

/* ---------------------------------------------------------------- lexer */
enum mf_vtype { MV_STRING, MV_INT, MV_BOOL, MV_ARRAY };

struct mf_value {
	enum mf_vtype type;
	uint32_t line, col;
	/* MV_STRING: the text between the quotes, escapes validated */
	const char *raw;
	uint32_t rawlen;
	uint32_t declen; /* length once escapes are decoded */
	bool literal;	 /* 'single quoted': no escapes */
	int64_t i;	 /* MV_INT */
	bool b;		 /* MV_BOOL */
	uint32_t n;	 /* MV_ARRAY: integers only */
	int64_t items[MANIFEST_MAX_ARRAY];
	uint16_t item_col[MANIFEST_MAX_ARRAY];
};

struct mf_parser {
	const char *text;
	size_t len;
	struct manifest *m;
	struct manifest_errors *errs;
	const struct manifest_host *host;
	/* the line being parsed: [ls, le), cursor p */
	uint32_t line;
	const char *ls, *le, *p;
	enum mf_section section;
	int vm; /* the last [[vm]], -1 before the first */
	uint32_t vm_overflow; /* [[vm]] tables beyond MANIFEST_MAX_VMS */
	/* After an unsupported multi-line value: skip lines up to its end
	 * (']' or the quote of a triple-quoted string), 0 when not in one. */
	char cont;
};

static inline uint32_t mf_col(const struct mf_parser *ps)
{
	return (uint32_t)(ps->p - ps->ls) + 1;
}

void mf_skip_ws(struct mf_parser *ps);
bool mf_at_end(struct mf_parser *ps); /* only blanks or a comment remain */
bool mf_is_bare(char c);
/* Three q in a row in [p, end)? */
bool mf_find3(const char *p, const char *end, char q);
/* A key: bare or "quoted". Returns false (error reported) on a bad one. */
bool mf_lex_key(struct mf_parser *ps, const char **key, size_t *len);
/* A value; false (error reported) if it is not one. */
bool mf_lex_value(struct mf_parser *ps, struct mf_value *v, const char *field,
		  bool want_bool);
/* Decodes a validated string value into dst (NUL-terminated). */
void mf_string_decode(const struct mf_value *v, char *dst, size_t cap);

/* ---------------------------------------------------------------- errors */
void mf_err(struct mf_parser *ps, uint32_t line, uint32_t col, int vm,
	    enum mf_section sec, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void mf_verr(struct mf_parser *ps, uint32_t line, uint32_t col, int vm,
	     enum mf_section sec, const char *field, const char *fmt, va_list ap);
/* After parsing: names VM contexts ("vm \"web\"" / "vm #2") and sorts. */
void mf_errors_finish(struct manifest_errors *errs, const struct manifest *m);

/* ---------------------------------------------------------------- steps */
void mf_parse(struct mf_parser *ps);
/* A module tag: [A-Za-z0-9._+-], 1..31 bytes. */
bool mf_tag_ok(const char *s, size_t n);
void mf_set_value(struct mf_parser *ps, const struct mf_key *k,
		  const struct mf_value *v);
void mf_check(struct mf_parser *ps, const struct manifest_host *host);

#endif
