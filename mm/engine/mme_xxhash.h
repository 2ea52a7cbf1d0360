/*
 * xxHash for the engine (header-only, XXH_INLINE_ALL, scalar: see
 * $(XXHASH_DEFS)). xxhash.h 0.8.1 uses C11 static_assert after including
 * <assert.h>; the monitor's stub assert.h does not define it, so map it to
 * the keyword here.
 */
#ifndef DITTO_MM_ENGINE_XXHASH_H
#define DITTO_MM_ENGINE_XXHASH_H
#ifndef static_assert
#define static_assert _Static_assert
#endif
#include "xxhash.h"
#endif
