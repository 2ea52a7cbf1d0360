/*
 * vsnprintf for the monitor: %d %i %u %x %X %o %c %s %p %% with the l, ll, z,
 * h, hh length modifiers, field width, precision (for %s and integers), and the
 * flags '-', '0', '+', ' ', '#'. No floating point (-mgeneral-regs-only).
 * Always NUL-terminates when n > 0; returns the length it would have written.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ditto/fmt.h"

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec;
};

static void put_num(struct out *o, uint64_t v, bool neg, unsigned base, bool upper,
		    const struct spec *s)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int prec_zeros = s->prec > n ? s->prec - n : 0;
	char sign = neg ? '-' : s->plus ? '+' : s->space ? ' ' : 0;
	const char *prefix = "";
	if (s->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (s->alt && base == 8 && prec_zeros == 0 && tmp[n - 1] != '0')
		prefix = "0";
	int plen = 0;
	while (prefix[plen])
		plen++;
	int body = n + prec_zeros + plen + (sign ? 1 : 0);
	int pad = s->width > body ? s->width - body : 0;
	bool zero_pad = s->zero && !s->left && s->prec < 0;
	if (!s->left && !zero_pad)
		put_pad(o, ' ', pad);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (zero_pad)
		put_pad(o, '0', pad);
	put_pad(o, '0', prec_zeros);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		put_pad(o, ' ', pad);
}

int fmt_vsnprintf(char *buf, size_t cap, const char *f, va_list ap)
{
	struct out o = { buf, cap, 0 };
	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec s = { .prec = -1 };
		for (;; f++) {
			char c = f[1];
			if (c == '-') s.left = true;
			else if (c == '0') s.zero = true;
			else if (c == '+') s.plus = true;
			else if (c == ' ') s.space = true;
			else if (c == '#') s.alt = true;
			else break;
		}
		f++;
		if (*f == '*') {
			s.width = va_arg(ap, int);
			if (s.width < 0) {
				s.left = true;
				s.width = -s.width;
			}
			f++;
		} else {
			while (*f >= '0' && *f <= '9' && s.width < 4096)
				s.width = s.width * 10 + (*f++ - '0');
		}
		if (*f == '.') {
			f++;
			s.prec = 0;
			if (*f == '*') {
				s.prec = va_arg(ap, int);
				f++;
			} else {
				while (*f >= '0' && *f <= '9' && s.prec < 4096)
					s.prec = s.prec * 10 + (*f++ - '0');
			}
		}
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t */
		for (;; f++) {
			if (*f == 'l') lng = lng < 1 ? 1 : 2;
			else if (*f == 'z' || *f == 'j' || *f == 't') lng = 2;
			else if (*f == 'h') lng = lng == -1 ? -2 : -1;
			else break;
		}
		uint64_t u;
		int64_t sv;
		switch (*f) {
		case 'd':
		case 'i':
			if (lng >= 1) sv = lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			else sv = va_arg(ap, int);
			if (lng == -1) sv = (short)sv;
			if (lng == -2) sv = (signed char)sv;
			put_num(&o, sv < 0 ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv, sv < 0, 10, false, &s);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng >= 1) u = lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long);
			else u = va_arg(ap, unsigned int);
			if (lng == -1) u = (unsigned short)u;
			if (lng == -2) u = (unsigned char)u;
			put_num(&o, u, false, *f == 'u' ? 10 : *f == 'o' ? 8 : 16, *f == 'X', &s);
			break;
		case 'p':
			s.alt = true;
			put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, &s);
			break;
		case 'c': {
			put_pad(&o, ' ', s.left ? 0 : s.width - 1);
			put(&o, (char)va_arg(ap, int));
			if (s.left) put_pad(&o, ' ', s.width - 1);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str) str = "(null)";
			int n = 0;
			/* The bound first: with a precision, str need not be terminated. */
			while ((s.prec < 0 || n < s.prec) && str[n])
				n++;
			if (!s.left) put_pad(&o, ' ', s.width - n);
			for (int i = 0; i < n; i++)
				put(&o, str[i]);
			if (s.left) put_pad(&o, ' ', s.width - n);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = fmt_vsnprintf(buf, cap, f, ap);
	va_end(ap);
	return n;
}
