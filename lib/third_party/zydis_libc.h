/* Force-included into Zydis (ZYAN_CUSTOM_LIBC): the libc it needs, as builtins. */
#ifndef DITTO_ZYDIS_LIBC_H
#define DITTO_ZYDIS_LIBC_H
typedef __builtin_va_list ZyanVAList;
#define ZYAN_VA_START(v, l) __builtin_va_start(v, l)
#define ZYAN_VA_END(v) __builtin_va_end(v)
#define ZYAN_VA_ARG(v, l) __builtin_va_arg(v, l)
#define ZYAN_VA_COPY(d, s) __builtin_va_copy(d, s)
#define ZYAN_MEMCHR __builtin_memchr
#define ZYAN_MEMCMP __builtin_memcmp
#define ZYAN_MEMCPY __builtin_memcpy
#define ZYAN_MEMMOVE __builtin_memmove
#define ZYAN_MEMSET __builtin_memset
#define ZYAN_STRCMP __builtin_strcmp
#define ZYAN_STRLEN __builtin_strlen
#define ZYAN_STRNCMP __builtin_strncmp
#endif
