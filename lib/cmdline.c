/* Boot command-line lookup (host-testable). */
#include "ditto/env.h"
#include "lib/cmdline.h"

bool cmdline_get(const char *s, const char *key, char *buf, size_t buflen)
{
	size_t klen = strlen(key);
	if (!s || !klen)
		return false;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *w = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		size_t wlen = (size_t)(s - w);
		if (wlen >= klen && !memcmp(w, key, klen) && (wlen == klen || w[klen] == '=')) {
			const char *v = wlen == klen ? w + wlen : w + klen + 1;
			size_t vlen = (size_t)(s - v);
			if (buf && buflen) {
				size_t n = vlen < buflen - 1 ? vlen : buflen - 1;
				memcpy(buf, v, n);
				buf[n] = 0;
			}
			return true;
		}
	}
	return false;
}
