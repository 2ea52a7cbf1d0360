/* An array-backed mme_ops backend for the memory-engine host tests. */
#ifndef DITTO_TESTS_MEM_BACKEND_H
#define DITTO_TESTS_MEM_BACKEND_H
#include "mm/engine/engine.h"

#define MB_MAX_VMS 8

struct mb_vm {
	uint64_t npages;
	uint8_t *mem;		/* the guest's own frames, page gfn at gfn * 4096 */
	void **frame;		/* what gfn is mapped to (NULL: unmapped) */
	uint8_t *prot;
	uint8_t *accessed;
	uint8_t *released;
};

struct mb {
	struct mb_vm vm[MB_MAX_VMS];
	uint32_t nvms;
	uint64_t bad;		/* backend protocol violations seen */
};

extern const struct mme_ops mb_ops;
/* Adds a VM of npages zero-filled frames, all mapped RW. */
uint32_t mb_add_vm(struct mb *b, uint64_t npages);
void mb_free(struct mb *b);
/* Guest accesses through the mapping, faulting like the CPU would. */
int mb_write(struct mb *b, struct mme *e, uint32_t vm, uint64_t gfn,
	     size_t off, const void *src, size_t len);
int mb_read(struct mb *b, struct mme *e, uint32_t vm, uint64_t gfn, void *dst);
#endif
