/*
 * The manifest's lexer: keys and values of the TOML subset, within one line.
 *
 * TOML 1.0 (https://toml.io/en/v1.0.0) parts kept: comments, bare and
 * "quoted" keys, basic strings with the escapes \" \\ \n \t \r, 'literal'
 * strings, decimal/0x/0o/0b integers with '_' between digits, true/false,
 * and one-line arrays of integers. Left out, each with its own error: floats,
 * dates, multi-line strings and arrays, inline tables, \u escapes.
 * The lexer never copies: a string value points into the manifest text and
 * is decoded into its destination field later (mf_string_decode).
 */
#include "vmm/manifest/internal.h"

bool mf_is_bare(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void mf_skip_ws(struct mf_parser *ps)
{
	while (ps->p < ps->le && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

bool mf_at_end(struct mf_parser *ps)
{
	mf_skip_ws(ps);
	return ps->p == ps->le || *ps->p == '#';
}

static void lex_err(struct mf_parser *ps, const char *field, const char *msg)
{
	mf_err(ps, ps->line, mf_col(ps), ps->vm, ps->section, field, "%s", msg);
}

bool mf_find3(const char *p, const char *end, char q)
{
	for (; end - p >= 3; p++)
		if (p[0] == q && p[1] == q && p[2] == q)
			return true;
	return false;
}

/* Scans a string whose opening quote is at ps->p; on success ps->p is past
 * the closing quote. */
static bool lex_string(struct mf_parser *ps, struct mf_value *v, const char *field)
{
	char q = *ps->p;
	const char *start;
	uint32_t dec = 0;

	if (ps->le - ps->p >= 3 && ps->p[1] == q && ps->p[2] == q) {
		lex_err(ps, field, "multi-line strings are not supported");
		if (!mf_find3(ps->p + 3, ps->le, q))
			ps->cont = q; /* its next lines are not statements */
		return false;
	}
	v->type = MV_STRING;
	v->literal = q == '\'';
	start = ++ps->p;
	while (ps->p < ps->le && *ps->p != q) {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20 && c != '\t') {
			lex_err(ps, field, "control character in a string");
			return false;
		}
		if (c == '\\' && !v->literal) {
			char e = ps->p + 1 < ps->le ? ps->p[1] : '\0';
			if (e != '"' && e != '\\' && e != 'n' && e != 't' && e != 'r') {
				lex_err(ps, field, "unknown escape in a string (use \\\" \\\\ \\n \\t \\r)");
				return false;
			}
			ps->p++;
		}
		ps->p++;
		dec++;
	}
	if (ps->p == ps->le) {
		ps->p = start - 1;
		lex_err(ps, field, "string is not closed on this line");
		return false;
	}
	v->raw = start;
	v->rawlen = (uint32_t)(ps->p - start);
	v->declen = dec;
	ps->p++;
	return true;
}

void mf_string_decode(const struct mf_value *v, char *dst, size_t cap)
{
	size_t o = 0;

	for (uint32_t i = 0; i < v->rawlen && o + 1 < cap; i++) {
		char c = v->raw[i];
		if (c == '\\' && !v->literal && i + 1 < v->rawlen) {
			c = v->raw[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		dst[o++] = c;
	}
	if (cap)
		dst[o] = '\0';
}

static int digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* An integer at ps->p (sign allowed). */
static bool lex_int(struct mf_parser *ps, int64_t *out, const char *field)
{
	const char *start = ps->p;
	bool neg = false, any = false, prev_us = false;
	unsigned base = 10;
	uint64_t v = 0;

	if (*ps->p == '+' || *ps->p == '-')
		neg = *ps->p++ == '-';
	if (ps->le - ps->p >= 2 && ps->p[0] == '0' &&
	    (ps->p[1] == 'x' || ps->p[1] == 'o' || ps->p[1] == 'b')) {
		base = ps->p[1] == 'x' ? 16 : ps->p[1] == 'o' ? 8 : 2;
		ps->p += 2;
	}
	for (; ps->p < ps->le; ps->p++) {
		char c = *ps->p;
		int d = digit_val(c);
		if (c == '_' && any && !prev_us) {
			prev_us = true;
			continue;
		}
		if (d >= (int)base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base || v * base + (uint64_t)d > (uint64_t)INT64_MAX) {
			ps->p = start;
			lex_err(ps, field, "integer is too large");
			return false;
		}
		v = v * base + (uint64_t)d;
		any = true;
		prev_us = false;
	}
	if (!any || prev_us) {
		ps->p = start;
		lex_err(ps, field, "malformed integer");
		return false;
	}
	if (ps->p < ps->le && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E' ||
			       *ps->p == ':' || (base == 10 && *ps->p == '-'))) {
		ps->p = start;
		lex_err(ps, field, "floats and dates are not supported; use an integer");
		return false;
	}
	if (ps->p < ps->le && mf_is_bare(*ps->p)) {
		ps->p = start;
		lex_err(ps, field, "malformed integer (sizes are strings: \"512M\")");
		return false;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static bool lex_array(struct mf_parser *ps, struct mf_value *v, const char *field)
{
	const char *open = ps->p;

	v->type = MV_ARRAY;
	v->n = 0;
	ps->p++;
	for (;;) {
		mf_skip_ws(ps);
		if (ps->p == ps->le || *ps->p == '#') {
			ps->p = open;
			lex_err(ps, field, "array is not closed on this line");
			ps->cont = ']';
			return false;
		}
		if (*ps->p == ']') {
			ps->p++;
			return true;
		}
		if (*ps->p == '"' || *ps->p == '\'' || *ps->p == '[' || *ps->p == '{' ||
		    *ps->p == 't' || *ps->p == 'f') {
			lex_err(ps, field, "arrays hold integers only");
			return false;
		}
		if (v->n == MANIFEST_MAX_ARRAY) {
			lex_err(ps, field, "array has more than 64 elements");
			return false;
		}
		v->item_col[v->n] = (uint16_t)mf_col(ps);
		if (!lex_int(ps, &v->items[v->n], field))
			return false;
		v->n++;
		mf_skip_ws(ps);
		if (ps->p < ps->le && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p == ps->le || *ps->p == ']' || *ps->p == '#')
			continue; /* closed, or reported unclosed, at the top */
		lex_err(ps, field, "expected ',' or ']' in the array");
		return false;
	}
}

static bool word_is(const struct mf_parser *ps, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(ps->le - ps->p) >= n && memcmp(ps->p, w, n) == 0 &&
	       ((size_t)(ps->le - ps->p) == n || !mf_is_bare(ps->p[n]));
}

bool mf_lex_value(struct mf_parser *ps, struct mf_value *v, const char *field, bool want_bool)
{
	char c;

	mf_skip_ws(ps);
	v->line = ps->line;
	v->col = mf_col(ps);
	if (ps->p == ps->le || *ps->p == '#') {
		lex_err(ps, field, "missing value after '='");
		return false;
	}
	c = *ps->p;
	if (c == '"' || c == '\'')
		return lex_string(ps, v, field);
	if (c == '[')
		return lex_array(ps, v, field);
	if (c == '{') {
		lex_err(ps, field, "inline tables are not supported; use a [table]");
		return false;
	}
	if (word_is(ps, "true") || word_is(ps, "false")) {
		v->type = MV_BOOL;
		v->b = c == 't';
		ps->p += v->b ? 4 : 5;
		return true;
	}
	if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
		v->type = MV_INT;
		return lex_int(ps, &v->i, field);
	}
	if (mf_is_bare(c)) {
		const char *w = ps->p;
		while (ps->p < ps->le && mf_is_bare(*ps->p))
			ps->p++;
		int n = (int)(ps->p - w);
		ps->p = w;
		if (want_bool)
			mf_err(ps, ps->line, mf_col(ps), ps->vm, ps->section, field,
			       "expected true or false, got %.*s", n > 32 ? 32 : n, w);
		else
			mf_err(ps, ps->line, mf_col(ps), ps->vm, ps->section, field,
			       "strings need quotes: \"%.*s\"", n > 32 ? 32 : n, w);
		return false;
	}
	lex_err(ps, field, "expected a value (\"string\", integer, true/false or [array])");
	return false;
}

bool mf_lex_key(struct mf_parser *ps, const char **key, size_t *len)
{
	mf_skip_ws(ps);
	if (ps->p < ps->le && (*ps->p == '"' || *ps->p == '\'')) {
		struct mf_value v;
		const char *open = ps->p;
		if (!lex_string(ps, &v, NULL))
			return false;
		if (v.rawlen != v.declen || v.rawlen == 0) {
			ps->p = open;
			lex_err(ps, NULL, "quoted keys must be non-empty and without escapes");
			return false;
		}
		*key = v.raw;
		*len = v.rawlen;
		return true;
	}
	*key = ps->p;
	while (ps->p < ps->le && mf_is_bare(*ps->p))
		ps->p++;
	*len = (size_t)(ps->p - *key);
	if (*len == 0) {
		lex_err(ps, NULL, "expected a key");
		return false;
	}
	return true;
}
