/* The array backend of the memory-engine tests (see mem_backend.h). */
#include <stdio.h>
#include <stdlib.h>
#include "mem_backend.h"

static void *mb_frame(void *ctx, uint32_t vm, uint64_t gfn)
{
	struct mb *b = ctx;
	if (vm >= b->nvms || gfn >= b->vm[vm].npages || !b->vm[vm].frame[gfn]) {
		b->bad++;
		return NULL;
	}
	return b->vm[vm].frame[gfn];
}

static void mb_map(void *ctx, uint32_t vm, uint64_t gfn, void *frame,
		   enum mme_prot prot)
{
	struct mb *b = ctx;
	if (vm >= b->nvms || gfn >= b->vm[vm].npages ||
	    (prot == MME_PROT_NONE) != (frame == NULL)) {
		b->bad++;
		return;
	}
	b->vm[vm].frame[gfn] = frame;
	b->vm[vm].prot[gfn] = (uint8_t)prot;
}

static bool mb_accessed(void *ctx, uint32_t vm, uint64_t gfn)
{
	struct mb *b = ctx;
	bool a = b->vm[vm].accessed[gfn];
	b->vm[vm].accessed[gfn] = 0;
	return a;
}

static void mb_release(void *ctx, uint32_t vm, uint64_t gfn, void *frame)
{
	struct mb *b = ctx;
	struct mb_vm *v = &b->vm[vm];
	/* Only the guest's own frame of this gfn, once. */
	if (frame != v->mem + gfn * ENV_PAGE_SIZE || v->released[gfn])
		b->bad++;
	v->released[gfn] = 1;
	memset(frame, 0x5a, ENV_PAGE_SIZE); /* poison: reuse would show */
}

const struct mme_ops mb_ops = {
	.frame = mb_frame,
	.map = mb_map,
	.test_clear_accessed = mb_accessed,
	.release = mb_release,
};

uint32_t mb_add_vm(struct mb *b, uint64_t npages)
{
	struct mb_vm *v = &b->vm[b->nvms];
	v->npages = npages;
	v->mem = aligned_alloc(ENV_PAGE_SIZE, npages * ENV_PAGE_SIZE);
	v->frame = calloc(npages, sizeof(void *));
	v->prot = calloc(npages, 1);
	v->accessed = calloc(npages, 1);
	v->released = calloc(npages, 1);
	if (!v->mem || !v->frame || !v->prot || !v->accessed || !v->released)
		abort();
	memset(v->mem, 0, npages * ENV_PAGE_SIZE);
	for (uint64_t g = 0; g < npages; g++) {
		v->frame[g] = v->mem + g * ENV_PAGE_SIZE;
		v->prot[g] = MME_PROT_RW;
	}
	return b->nvms++;
}

void mb_free(struct mb *b)
{
	for (uint32_t i = 0; i < b->nvms; i++) {
		free(b->vm[i].mem);
		free(b->vm[i].frame);
		free(b->vm[i].prot);
		free(b->vm[i].accessed);
		free(b->vm[i].released);
	}
	memset(b, 0, sizeof(*b));
}

int mb_write(struct mb *b, struct mme *e, uint32_t vm, uint64_t gfn,
	     size_t off, const void *src, size_t len)
{
	struct mb_vm *v = &b->vm[vm];
	if (v->prot[gfn] != MME_PROT_RW) {
		void *f;
		int r = mme_fault(e, vm, gfn, true, &f);
		if (r)
			return r;
		if (v->prot[gfn] != MME_PROT_RW || v->frame[gfn] != f)
			b->bad++;
	}
	memcpy((uint8_t *)v->frame[gfn] + off, src, len);
	v->accessed[gfn] = 1;
	return 0;
}

int mb_read(struct mb *b, struct mme *e, uint32_t vm, uint64_t gfn, void *dst)
{
	struct mb_vm *v = &b->vm[vm];
	if (v->prot[gfn] == MME_PROT_NONE) {
		void *f;
		int r = mme_fault(e, vm, gfn, false, &f);
		if (r)
			return r;
		if (v->prot[gfn] == MME_PROT_NONE || v->frame[gfn] != f)
			b->bad++;
	}
	memcpy(dst, v->frame[gfn], ENV_PAGE_SIZE);
	v->accessed[gfn] = 1;
	return 0;
}
