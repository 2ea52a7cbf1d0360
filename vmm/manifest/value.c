/*
 * Typed values: turns a lexed value into the field a schema key names,
 * checking its type, range and form. Every failure is an error naming the
 * key; the field then keeps its default.
 */
#include "vmm/manifest/internal.h"

static const char *const vtype_names[] = {
	[MV_STRING] = "a string", [MV_INT] = "an integer",
	[MV_BOOL] = "a boolean", [MV_ARRAY] = "an array",
};

#define VERR(ps, v, k, ...)                                                    \
	mf_err(ps, (v)->line, (v)->col, (ps)->vm, (enum mf_section)(k)->section, \
	       (k)->field, __VA_ARGS__)

static void *field_ptr(struct mf_parser *ps, const struct mf_key *k)
{
	char *base = k->section >= SEC_VM ? (char *)&ps->m->vms[ps->vm] : (char *)ps->m;
	return base + k->offset;
}

static bool want(struct mf_parser *ps, const struct mf_value *v,
		 const struct mf_key *k, enum mf_vtype t, const char *what)
{
	if (v->type == t)
		return true;
	VERR(ps, v, k, "expected %s, got %s", what, vtype_names[v->type]);
	return false;
}

static void range_str(const struct mf_key *k, int64_t x, char *buf, size_t size)
{
	if (k->type == MT_SIZE)
		mf_size_str((uint64_t)x, buf, size);
	else if (k->flags & MF_HEX)
		mf_snprintf(buf, size, "0x%llx", (unsigned long long)x); /* ports */
	else
		mf_snprintf(buf, size, "%lld", (long long)x);
}

static bool in_range(struct mf_parser *ps, const struct mf_value *v,
		     const struct mf_key *k, int64_t x, const char *shown)
{
	char lo[24], hi[24];

	if (x >= k->min && x <= k->max)
		return true;
	range_str(k, k->min, lo, sizeof(lo));
	range_str(k, k->max, hi, sizeof(hi));
	if (shown)
		VERR(ps, v, k, "\"%s\" is out of range (%s..%s)", shown, lo, hi);
	else
		VERR(ps, v, k, "%lld is out of range (%s..%s)", (long long)x, lo, hi);
	return false;
}

/* "512M", "2G", "4096", "64KiB": a byte count; false if not one. */
bool manifest_parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned shift = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return false;
	if (i < n) {
		const char *u = "KMGT";
		for (unsigned j = 0; j < 4; j++)
			if (s[i] == u[j])
				shift = 10 * (j + 1);
		if (!shift)
			return false;
		i++;
		if (i + 2 == n && s[i] == 'i' && s[i + 1] == 'B')
			i += 2;
		if (i != n)
			return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static void set_size(struct mf_parser *ps, const struct mf_key *k,
		     const struct mf_value *v)
{
	char s[40];
	uint64_t x;

	if (v->type == MV_INT) {
		if (v->i < 0) {
			VERR(ps, v, k, "%lld is not a size (use 512M or 2G)", (long long)v->i);
			return;
		}
		x = (uint64_t)v->i;
		s[0] = '\0';
	} else {
		if (!want(ps, v, k, MV_STRING, "a size (\"512M\", \"2G\")"))
			return;
		mf_string_decode(v, s, sizeof(s));
		if (v->declen >= sizeof(s) || !manifest_parse_size(s, v->declen, &x)) {
			VERR(ps, v, k, "\"%s\" is not a size (use 512M or 2G)", s);
			return;
		}
	}
	if (x > (uint64_t)INT64_MAX)
		x = (uint64_t)INT64_MAX;
	if (!in_range(ps, v, k, (int64_t)x, s[0] ? s : NULL))
		return;
	if (!ENV_IS_ALIGNED(x, 4096ull)) {
		char shown[24];
		mf_size_str(x, shown, sizeof(shown));
		if (s[0])
			VERR(ps, v, k, "\"%s\" is not a multiple of 4K", s);
		else
			VERR(ps, v, k, "%s is not a multiple of 4K", shown);
		return;
	}
	*(uint64_t *)field_ptr(ps, k) = x;
}

static void set_int(struct mf_parser *ps, const struct mf_key *k,
		    const struct mf_value *v)
{
	void *p = field_ptr(ps, k);

	if (!want(ps, v, k, MV_INT, "an integer") || !in_range(ps, v, k, v->i, NULL))
		return;
	if (k->id == MK_DEV_DEBUG_EXIT_SIZE && v->i == 3) {
		VERR(ps, v, k, "3 is not a port width (use 1, 2 or 4)");
		return;
	}
	if (k->id == MK_HOST_BAUD && 115200 % v->i != 0) {
		VERR(ps, v, k, "%lld does not divide 115200 (use 9600, 38400 or 115200)",
		     (long long)v->i);
		return;
	}
	if (k->size == 1)
		*(uint8_t *)p = (uint8_t)v->i;
	else if (k->size == 2)
		*(uint16_t *)p = (uint16_t)v->i;
	else
		*(uint32_t *)p = (uint32_t)v->i;
}

static void set_enum(struct mf_parser *ps, const struct mf_key *k,
		     const struct mf_value *v)
{
	char s[24], list[96];
	size_t o = 0;

	if (!want(ps, v, k, MV_STRING, "a string"))
		return;
	mf_string_decode(v, s, sizeof(s));
	for (int i = 0; k->enums[i]; i++) {
		if (v->declen == strlen(k->enums[i]) && strcmp(s, k->enums[i]) == 0) {
			*(int *)field_ptr(ps, k) = i;
			return;
		}
		o += mf_snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0, "%s%s",
				 i ? ", " : "", k->enums[i]);
	}
	VERR(ps, v, k, "\"%s%s\" is not one of %s", s, v->declen >= sizeof(s) ? "..." : "", list);
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= MANIFEST_NAME_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool mf_tag_ok(const char *s, size_t n)
{
	if (n == 0 || n >= MANIFEST_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!mf_is_bare(s[i]) && s[i] != '.' && s[i] != '+')
			return false;
	return true;
}

static void set_string(struct mf_parser *ps, const struct mf_key *k,
		       const struct mf_value *v)
{
	char *dst = field_ptr(ps, k);
	int shown = v->rawlen > 40 ? 40 : (int)v->rawlen;
	const char *more = v->rawlen > 40 ? "..." : "";

	if (!want(ps, v, k, MV_STRING, "a string"))
		return;
	if (k->type == MT_TEXT) {
		if (v->declen > (uint64_t)k->max) {
			VERR(ps, v, k, "%u bytes is longer than the limit of %lld", v->declen,
			     (long long)k->max);
			return;
		}
		for (uint32_t i = 0; i < v->rawlen; i++) {
			if (v->raw[i] == '\t' || (unsigned char)v->raw[i] >= 0x7f ||
			    (!v->literal && v->raw[i] == '\\' && i + 1 < v->rawlen &&
			     v->raw[i + 1] != '"' && v->raw[i + 1] != '\\')) {
				VERR(ps, v, k, "only printable ASCII is allowed");
				return;
			}
		}
		mf_string_decode(v, dst, k->size);
		return;
	}
	if (v->declen != v->rawlen) {
		VERR(ps, v, k, "escapes are not allowed here");
		return;
	}
	if (k->type == MT_NAME && !name_ok(v->raw, v->rawlen)) {
		VERR(ps, v, k, "\"%.*s%s\" is not a valid name (a-z, 0-9 and '-', at most 31)",
		     shown, v->raw, more);
		return;
	}
	if (k->type == MT_TAG && !mf_tag_ok(v->raw, v->rawlen)) {
		VERR(ps, v, k, "\"%.*s%s\" is not a valid module tag (A-Z a-z 0-9 . _ + -, at most 31)",
		     shown, v->raw, more);
		return;
	}
	if (k->type == MT_TAG && v->rawlen == 8 && memcmp(v->raw, "manifest", 8) == 0) {
		VERR(ps, v, k, "\"manifest\" is the manifest's own tag");
		return;
	}
	mf_string_decode(v, dst, k->size);
}

static void set_cpulist(struct mf_parser *ps, const struct mf_key *k,
			const struct mf_value *v)
{
	uint64_t mask = 0;

	if (!want(ps, v, k, MV_ARRAY, "an array of CPU numbers"))
		return;
	for (uint32_t i = 0; i < v->n; i++) {
		int64_t c = v->items[i];
		if (c < 0 || c >= (int64_t)MANIFEST_MAX_CPUS) {
			mf_err(ps, v->line, v->item_col[i], ps->vm, SEC_VM, k->field,
			       "CPU %lld is out of range (0..%u)", (long long)c,
			       MANIFEST_MAX_CPUS - 1);
			return;
		}
		if (mask & (1ull << c)) {
			mf_err(ps, v->line, v->item_col[i], ps->vm, SEC_VM, k->field,
			       "CPU %lld is listed twice", (long long)c);
			return;
		}
		if (ps->host->cpus && c >= (int64_t)ps->host->cpus) {
			mf_err(ps, v->line, v->item_col[i], ps->vm, SEC_VM, k->field,
			       "CPU %lld does not exist (the host has %u CPU%s)", (long long)c,
			       ps->host->cpus, ps->host->cpus == 1 ? "" : "s");
			return;
		}
		mask |= 1ull << c;
	}
	ps->m->vms[ps->vm].pin_mask = mask;
}

void mf_set_value(struct mf_parser *ps, const struct mf_key *k,
		  const struct mf_value *v)
{
	switch (k->type) {
	case MT_BOOL:
		if (want(ps, v, k, MV_BOOL, "true or false"))
			*(bool *)field_ptr(ps, k) = v->b;
		break;
	case MT_INT:
		set_int(ps, k, v);
		break;
	case MT_SIZE:
		set_size(ps, k, v);
		break;
	case MT_ENUM:
		set_enum(ps, k, v);
		break;
	case MT_NAME:
	case MT_TAG:
	case MT_TEXT:
		set_string(ps, k, v);
		break;
	case MT_CPULIST:
		set_cpulist(ps, k, v);
		break;
	default:
		ENV_PANIC("manifest schema: key %s has type %u", k->name, k->type);
	}
}
