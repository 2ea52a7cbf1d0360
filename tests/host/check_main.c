/* Runs every registered TEST in registration order; prints one line each. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define MAX_TESTS 4096
static struct { const char *name; check_fn fn; } tests[MAX_TESTS];
static int ntests;
int check_current_failed;
static char fail_buf[1024];

void check_register(const char *name, check_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void check_fail(const char *file, int line, const char *msg)
{
	check_current_failed = 1;
	snprintf(fail_buf, sizeof(fail_buf), "%s:%d: %s", file, line, msg);
}

void check_failf(const char *file, int line, const char *fmt, ...)
{
	char m[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	check_fail(file, line, m);
}

int main(int argc, char **argv)
{
	const char *suite = strrchr(argv[0], '/');
	const char *only = argc > 1 ? argv[1] : NULL;
	int failed = 0, ran = 0;
	suite = suite ? suite + 1 : argv[0];
	for (int i = 0; i < ntests; i++) {
		if (only && !strstr(tests[i].name, only))
			continue;
		check_current_failed = 0;
		tests[i].fn();
		ran++;
		if (check_current_failed) {
			failed++;
			printf("not ok %s.%s: %s\n", suite, tests[i].name, fail_buf);
		} else {
			printf("ok %s.%s\n", suite, tests[i].name);
		}
		fflush(stdout);
	}
	if (ran == 0) {
		printf("not ok %s: no test ran\n", suite);
		return 1;
	}
	return failed ? 1 : 0;
}
