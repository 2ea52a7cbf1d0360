#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "ditto/fmt.h"
#include "lib/cmdline.h"

/* Compare against the host libc for every format the monitor uses. */
#define SAME(...)                                                              \
	do {                                                                   \
		char a_[128], b_[128];                                         \
		int ra_ = fmt_snprintf(a_, sizeof(a_), __VA_ARGS__);           \
		int rb_ = snprintf(b_, sizeof(b_), __VA_ARGS__);               \
		CHECK_STREQ(a_, b_);                                           \
		CHECK_EQ(ra_, rb_);                                            \
	} while (0)

TEST(integers_match_libc)
{
	SAME("%d %i %u", -42, 7, 3000000000u);
	SAME("%x %X %o", 0xbeefu, 0xbeefu, 8u);
	SAME("%5d|%-5d|%05d", 42, 42, 42);
	SAME("%+d % d", 5, 5);
	SAME("%#x %#o", 255u, 8u);
	SAME("%lld %llu %llx", -(1ll << 62), ~0ull, 0x123456789abcdefull);
	SAME("%zu %ld", (size_t)12345, -99l);
	SAME("%016llx", 0xabcull);
	SAME("%.3d", 7);
	SAME("%hhu %hd", 300, 70000);
	SAME("%d", -2147483647 - 1);
}

TEST(strings_chars_pointers)
{
	SAME("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
	SAME("%c%c", 'o', 'k');
	SAME("%%");
	SAME("%*d|%-*d", 6, 1, 6, 1);
	char a[32];
	fmt_snprintf(a, sizeof(a), "%p", (void *)0x1234);
	CHECK_STREQ(a, "0x1234");
	const char *volatile nul = NULL;
	fmt_snprintf(a, sizeof(a), "%s", nul);
	CHECK_STREQ(a, "(null)");
}

TEST(truncation_terminates_and_reports_length)
{
	char b[8];
	int n = fmt_snprintf(b, sizeof(b), "%s", "hello world");
	CHECK_EQ(n, 11);
	CHECK_STREQ(b, "hello w");
	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

TEST(cmdline_lookup)
{
	char v[16];
	const char *c = "ditto.test=selftest  quiet ditto.on_panic=exit x=";
	CHECK(cmdline_get(c, "ditto.test", v, sizeof(v)));
	CHECK_STREQ(v, "selftest");
	CHECK(cmdline_get(c, "quiet", v, sizeof(v)));
	CHECK_STREQ(v, "");
	CHECK(cmdline_get(c, "x", v, sizeof(v)));
	CHECK_STREQ(v, "");
	CHECK(!cmdline_get(c, "ditto", v, sizeof(v)));
	CHECK(!cmdline_get(c, "ditto.tes", v, sizeof(v)));
	CHECK(!cmdline_get(NULL, "a", v, sizeof(v)));
	CHECK(cmdline_get("k=0123456789abcdefghij", "k", v, sizeof(v)));
	CHECK_STREQ(v, "0123456789abcde");
}

TEST(precision_reads_no_further_than_it_prints)
{
	/* An unterminated buffer, exactly as long as the precision: ASan fails
	 * the test if the formatter looks one byte past it. */
	char *raw = malloc(4);
	memcpy(raw, "abcd", 4);
	char out[16];
	fmt_snprintf(out, sizeof(out), "[%.*s]", 4, raw);
	free(raw);
	CHECK_STREQ(out, "[abcd]");
}
