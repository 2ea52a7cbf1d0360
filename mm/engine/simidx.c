/*
 * Similarity index: finds reference candidates for patching.
 *
 * As in the Difference Engine's HashSimilarityDetector, every page is
 * summarised by the XXH64 of a few 64-byte blocks at fixed offsets (spread
 * over the page). The index is a direct-mapped table from block key to the
 * last page or shared frame that had that block at that offset; a new
 * insert overwrites. It is a hint only: a candidate's content is always
 * re-read and the patch computed on real bytes, so stale or colliding
 * entries cost time, never correctness. Its size is fixed at creation
 * (bounded metadata). Blocks of one repeated byte say nothing about
 * similarity (zero runs, poison fills) and are skipped. The trust group is
 * the hash seed, so a lookup never yields a page of another group (the
 * caller still checks the group: the tag is only 32 bits).
 */
#include "mm/engine/engine_int.h"
#include "mm/engine/mme_xxhash.h"

/* Block numbers (of 64) sampled; spread so edits in one area miss few. */
static const uint8_t sim_off[16] = { 5, 37, 21, 53, 13, 45, 29, 61,
						  1, 33, 17, 49, 9, 41, 25, 57 };

static bool uniform_block(const uint8_t *b)
{
	uint64_t w;
	memcpy(&w, b, 8);
	if (w != (uint64_t)b[0] * 0x0101010101010101ull)
		return false;
	for (int i = 8; i < SIM_BLOCK; i += 8) {
		uint64_t v;
		memcpy(&v, b + i, 8);
		if (v != w)
			return false;
	}
	return true;
}

/* keys[i] == 0: block i skipped. */
void mme_sim_keys(struct mme *e, const uint8_t *page, uint32_t group,
		  uint64_t *keys)
{
	for (uint32_t i = 0; i < e->cfg.sim_blocks; i++) {
		const uint8_t *b = page + (size_t)sim_off[i] * SIM_BLOCK;
		if (uniform_block(b)) {
			keys[i] = 0;
			continue;
		}
		uint64_t k = XXH64(b, SIM_BLOCK, group * 0x9e3779b97f4a7c15ull + i);
		keys[i] = k ? k : 1;
	}
}

void mme_sim_insert(struct mme *e, const uint64_t *keys, uint32_t id)
{
	for (uint32_t i = 0; i < e->cfg.sim_blocks; i++) {
		if (!keys[i])
			continue;
		struct sim_entry *s = &e->sim[keys[i] & e->smask];
		s->tag = (uint32_t)(keys[i] >> 32);
		s->id = id + 1;
	}
}

void mme_sim_lookup(struct mme *e, const uint64_t *keys, uint32_t self,
		    struct sim_cands *c)
{
	c->n = 0;
	for (uint32_t i = 0; i < e->cfg.sim_blocks; i++) {
		if (!keys[i])
			continue;
		const struct sim_entry *s = &e->sim[keys[i] & e->smask];
		if (!s->id || s->tag != (uint32_t)(keys[i] >> 32) ||
		    s->id - 1 == self)
			continue;
		uint32_t id = s->id - 1, j;
		for (j = 0; j < c->n; j++)
			if (c->id[j] == id)
				break;
		if (j < c->n) {
			c->votes[j]++;
			continue;
		}
		c->id[c->n] = id;
		c->votes[c->n++] = 1;
	}
	/* Most votes first (insertion sort of <= 8). */
	for (uint32_t i = 1; i < c->n; i++)
		for (uint32_t j = i; j > 0 && c->votes[j] > c->votes[j - 1]; j--) {
			uint32_t t = c->id[j];
			uint8_t v = c->votes[j];
			c->id[j] = c->id[j - 1];
			c->votes[j] = c->votes[j - 1];
			c->id[j - 1] = t;
			c->votes[j - 1] = v;
		}
}
