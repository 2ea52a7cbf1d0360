/*
 * Minimal host unit-test framework. Each TEST is one counted test case; the
 * runner (tests/run.sh) counts the "ok"/"not ok" lines every binary prints.
 *
 *   TEST(frames_exclude_kernel) { CHECK(x == 1); CHECK_EQ(a, b); }
 */
#ifndef DITTO_CHECK_H
#define DITTO_CHECK_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*check_fn)(void);
void check_register(const char *name, check_fn fn);
void check_fail(const char *file, int line, const char *msg);
void check_failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern int check_current_failed;

#define TEST(name)                                                             \
	static void test_##name(void);                                         \
	__attribute__((constructor)) static void reg_##name(void)              \
	{                                                                      \
		check_register(#name, test_##name);                            \
	}                                                                      \
	static void test_##name(void)

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			check_fail(__FILE__, __LINE__, #c);                    \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		unsigned long long ca_ = (unsigned long long)(a);              \
		unsigned long long cb_ = (unsigned long long)(b);              \
		if (ca_ != cb_) {                                              \
			check_failf(__FILE__, __LINE__,                        \
				    "%s == %s (0x%llx != 0x%llx)", #a, #b,     \
				    ca_, cb_);                                 \
			return;                                                \
		}                                                              \
	} while (0)

#define CHECK_STREQ(a, b)                                                      \
	do {                                                                   \
		const char *ca_ = (a), *cb_ = (b);                             \
		if (!ca_ || !cb_ || strcmp(ca_, cb_) != 0) {                   \
			check_failf(__FILE__, __LINE__,                        \
				    "%s == %s (\"%s\" != \"%s\")", #a, #b,     \
				    ca_ ? ca_ : "(null)", cb_ ? cb_ : "(null)"); \
			return;                                                \
		}                                                              \
	} while (0)

/*
 * A test that expects Ditto code to hit ENV_PANIC: runs `stmt` with the host
 * env's panic turned into a longjmp back here.
 */
#include <setjmp.h>
extern jmp_buf *check_panic_jmp;
extern char check_panic_msg[512];
#define CHECK_PANICS(stmt)                                                     \
	do {                                                                   \
		jmp_buf jb_;                                                   \
		check_panic_jmp = &jb_;                                        \
		if (setjmp(jb_) == 0) {                                        \
			stmt;                                                  \
			check_panic_jmp = NULL;                                \
			check_fail(__FILE__, __LINE__,                         \
				   "expected a panic from: " #stmt);           \
			return;                                                \
		}                                                              \
		check_panic_jmp = NULL;                                        \
	} while (0)

#endif
