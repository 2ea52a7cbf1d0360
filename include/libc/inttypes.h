#ifndef DITTO_LIBC_INTTYPES_H
#define DITTO_LIBC_INTTYPES_H
#include <stdint.h>
#define PRIu64 "lu"
#define PRIx64 "lx"
#define PRId64 "ld"
#define PRIu32 "u"
#define PRIx32 "x"
#endif
