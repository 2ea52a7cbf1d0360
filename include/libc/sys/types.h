#ifndef DITTO_LIBC_SYS_TYPES_H
#define DITTO_LIBC_SYS_TYPES_H
#include <stddef.h>
#include <stdint.h>
typedef long ssize_t;
typedef long off_t;
#endif
