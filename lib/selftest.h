#ifndef LIB_SELFTEST_H
#define LIB_SELFTEST_H
#define SELFTEST_XXH64 1u
#define SELFTEST_LZ4 2u
#define SELFTEST_XDELTA3 4u
#define SELFTEST_ZYDIS 8u
/* Runs the four library self-tests; returns the mask of those that failed. */
unsigned selftest_run(void);
#endif
