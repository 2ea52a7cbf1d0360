#ifndef DITTO_LIBC_ASSERT_H
#define DITTO_LIBC_ASSERT_H
_Noreturn void env_panic(const char *file, int line, const char *fmt, ...);
#define static_assert _Static_assert
#define assert(c) ((c) ? (void)0 : env_panic(__FILE__, __LINE__, "assert: %s", #c))
#endif
