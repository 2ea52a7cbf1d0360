#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H
#include <stdbool.h>
#include <stddef.h>
/* Find `key=value` (or a bare `key`) among space-separated words; copies the
 * value into buf (empty for a bare key). Returns true if the key is present. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t buflen);
#endif
