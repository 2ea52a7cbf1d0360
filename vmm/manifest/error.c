/*
 * Error reporting for the manifest: error records, their final ordering,
 * and printing.
 *
 * An error is recorded with its position, the VM it concerns (by index: the
 * VM's name may be written after the faulty key) and the field; the context
 * "vm \"web\"" is filled in once the whole file has been read.
 */
#include "ditto/fmt.h"
#include "vmm/manifest/internal.h"

/* The project's one formatter (lib/fmt.c, host-tested); the manifest's
 * messages are bounded by their fixed-size fields. */
size_t mf_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	return n < 0 ? 0 : (size_t)n;
}

size_t mf_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = mf_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void mf_size_str(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && (bytes & 1023) == 0) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		mf_snprintf(buf, size, "%llu", (unsigned long long)bytes);
	else
		mf_snprintf(buf, size, "%llu%c", (unsigned long long)bytes, units[u]);
}

/* Levenshtein distance over short words (keys are < 32 bytes). */
unsigned mf_distance(const char *a, size_t alen, const char *b, unsigned limit)
{
	unsigned row[33], prev_diag, tmp;
	size_t blen = strlen(b);

	if (alen > 32 || blen > 32)
		return limit + 1;
	for (size_t j = 0; j <= blen; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= alen; i++) {
		unsigned best;
		prev_diag = row[0];
		row[0] = (unsigned)i;
		best = row[0];
		for (size_t j = 1; j <= blen; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned v = prev_diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			tmp = row[j];
			row[j] = v;
			prev_diag = tmp;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[blen];
}

void mf_verr(struct mf_parser *ps, uint32_t line, uint32_t col, int vm,
	     enum mf_section sec, const char *field, const char *fmt, va_list ap)
{
	struct manifest_errors *errs = ps->errs;
	struct manifest_error *e;

	if (errs->count >= MANIFEST_MAX_ERRORS) {
		errs->dropped++;
		return;
	}
	e = &errs->e[errs->count++];
	e->line = line;
	e->col = col;
	e->vm = (sec == SEC_VM || sec == SEC_DEVICES) ? vm : -1;
	e->ctx[0] = '\0';
	if (e->vm < 0 && sec != SEC_NONE && sec != SEC_SKIP)
		mf_snprintf(e->ctx, sizeof(e->ctx), "%s", mf_section_names[sec]);
	mf_snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	mf_vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void mf_err(struct mf_parser *ps, uint32_t line, uint32_t col, int vm,
	    enum mf_section sec, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mf_verr(ps, line, col, vm, sec, field, fmt, ap);
	va_end(ap);
}

static bool before(const struct manifest_error *a, const struct manifest_error *b)
{
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

void mf_errors_finish(struct manifest_errors *errs, const struct manifest *m)
{
	for (uint32_t i = 0; i < errs->count; i++) {
		struct manifest_error *e = &errs->e[i];
		if (e->vm < 0)
			continue;
		if ((uint32_t)e->vm < m->nvms && m->vms[e->vm].name[0])
			mf_snprintf(e->ctx, sizeof(e->ctx), "vm \"%s\"", m->vms[e->vm].name);
		else
			mf_snprintf(e->ctx, sizeof(e->ctx), "vm #%d", e->vm + 1);
	}
	/* Insertion sort, stable: at most MANIFEST_MAX_ERRORS records. */
	for (uint32_t i = 1; i < errs->count; i++) {
		struct manifest_error tmp = errs->e[i];
		uint32_t j = i;
		while (j > 0 && before(&tmp, &errs->e[j - 1])) {
			errs->e[j] = errs->e[j - 1];
			j--;
		}
		errs->e[j] = tmp;
	}
}

size_t manifest_error_format(const struct manifest_error *e, const char *file,
			     char *buf, size_t size)
{
	return mf_snprintf(buf, size, "%s:%u:%u: %s%s%s%s%s", file, e->line, e->col,
			   e->ctx, e->ctx[0] ? ": " : "", e->field,
			   e->field[0] ? ": " : "", e->msg);
}

void manifest_print_errors(const struct manifest_errors *errs, const char *file)
{
	/* Not on the stack of a caller that may be deep: small enough here. */
	char line[MANIFEST_CTX_MAX + MANIFEST_FIELD_MAX + MANIFEST_MSG_MAX + 64];

	for (uint32_t i = 0; i < errs->count; i++) {
		manifest_error_format(&errs->e[i], file, line, sizeof(line));
		env_printf("%s\n", line);
	}
	if (errs->dropped)
		env_printf("%s: %u more errors not shown\n", file, errs->dropped);
}
