/*
 * The upper bound of ditto-memsim, from the same images and keep rule:
 * every page treated as cold; zero pages and exact duplicates (within a
 * trust group) cost nothing; every distinct content costs
 * min(4096, its LZ4 payload, its best patch: XOR+RLE or LZ4 of the XOR,
 * the engine's two in-place encodings), payloads counted with
 * the engine's 8-byte blob header, a payload kept only if <= keep.
 * Reference candidates come from an exhaustive search over all 64 aligned
 * 64-byte blocks of every distinct page (blocks of one repeated byte
 * skipped): the 8 pages sharing most blocks are tried. References are not
 * charged (as in the corpus oracle), so the bound may be out of reach by
 * construction.
 */
#include <stdlib.h>
#include <string.h>
#include "tools/memsim/memsim.h"
#include "mm/engine/engine_int.h"
#include "mm/engine/mme_xxhash.h"
#include "lz4.h"

struct bpair {
	uint64_t key;
	uint32_t page;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct bpair *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->page > y->page) - (x->page < y->page);
}

static bool uniform(const uint8_t *b)
{
	for (int i = 1; i < 64; i++)
		if (b[i] != b[0])
			return false;
	return true;
}

void ms_bound(struct ms_vm *vms, uint32_t n, uint32_t keep,
	      struct ms_saved *out, uint64_t *distinct)
{
	uint64_t pages = 0;
	for (uint32_t i = 0; i < n; i++)
		pages += vms[i].npages;
	uint64_t nb = 1;
	while (nb < 2 * pages)
		nb <<= 1;
	uint32_t *bucket = calloc(nb, sizeof(uint32_t));
	uint32_t *next = calloc(pages + 1, sizeof(uint32_t));
	const uint8_t **dp = calloc(pages, sizeof(*dp));
	uint32_t *dgroup = calloc(pages, sizeof(uint32_t));
	uint64_t *dhash = calloc(pages, sizeof(uint64_t));
	uint64_t nd = 0, nzero = 0, done = 0;
	if (!bucket || !next || !dp || !dgroup || !dhash)
		abort();

	/* Distinct non-zero contents per trust group. */
	for (uint32_t v = 0; v < n; v++) {
		for (uint64_t g = 0; g < vms[v].npages; g++) {
			const uint8_t *p = vms[v].orig + g * 4096;
			if (mme_is_zero(p)) {
				nzero++;
				continue;
			}
			uint64_t h = XXH64(p, 4096, vms[v].group);
			uint32_t *b = &bucket[h & (nb - 1)], k;
			for (k = *b; k; k = next[k])
				if (dhash[k - 1] == h && dgroup[k - 1] == vms[v].group &&
				    !memcmp(dp[k - 1], p, 4096))
					break;
			if (k)
				continue;
			dp[nd] = p;
			dgroup[nd] = vms[v].group;
			dhash[nd] = h;
			next[nd + 1] = *b;
			*b = (uint32_t)(nd + 1);
			nd++;
		}
	}
	*distinct = nd;

	/* Block index: (key, page) sorted by key. */
	struct bpair *bp = malloc(nd * 64 * sizeof(*bp));
	uint64_t npairs = 0;
	if (!bp)
		abort();
	for (uint64_t d = 0; d < nd; d++)
		for (int k = 0; k < 64; k++) {
			const uint8_t *b = dp[d] + k * 64;
			if (uniform(b))
				continue;
			/* Same offset only: the engine's patches are in place. */
			bp[npairs].key = XXH64(b, 64, dgroup[d] * 64ull + (uint64_t)k);
			bp[npairs++].page = (uint32_t)d;
		}
	qsort(bp, npairs, sizeof(*bp), cmp_pair);

	uint32_t *votes = calloc(nd, sizeof(uint32_t));
	uint32_t *touched = malloc(64 * 64 * sizeof(uint32_t));
	void *lz4st = malloc((size_t)LZ4_sizeofState());
	uint8_t *tmp = malloc(8192), *xbuf = malloc(4096);
	if (!votes || !touched || !lz4st || !tmp || !xbuf)
		abort();
	double cost = 0;
	for (uint64_t d = 0; d < nd; d++) {
		const uint8_t *p = dp[d];
		uint64_t best = 4096;
		int c = LZ4_compress_fast_extState(lz4st, (const char *)p,
						   (char *)tmp, 4096, (int)keep, 1);
		if (c > 0 && BLOB_COST((uint64_t)c) < best)
			best = BLOB_COST((uint64_t)c);
		/* Candidates: pages sharing blocks at the same offset. */
		uint32_t nt = 0;
		for (int k = 0; k < 64; k++) {
			const uint8_t *b = p + k * 64;
			if (uniform(b))
				continue;
			struct bpair key = { XXH64(b, 64, dgroup[d] * 64ull + (uint64_t)k), 0 };
			uint64_t lo = 0, hi = npairs;
			while (lo < hi) {
				uint64_t mid = (lo + hi) / 2;
				if (bp[mid].key < key.key)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (uint64_t j = lo, m = 0; j < npairs && bp[j].key == key.key &&
						     m < 64; j++, m++) {
				uint32_t q = bp[j].page;
				if (q == d)
					continue;
				if (!votes[q]++ && nt < 64 * 64)
					touched[nt++] = q;
			}
		}
		/* Top 8 by votes. */
		for (int t = 0; t < 8 && nt; t++) {
			uint32_t bi = 0;
			for (uint32_t j = 1; j < nt; j++)
				if (votes[touched[j]] > votes[touched[bi]])
					bi = j;
			uint32_t q = touched[bi];
			if (!votes[q])
				break;
			votes[q] = 0;
			size_t lim = best > 8 ? ENV_MIN(best - 8, keep) : 0;
			size_t x = mme_xor_encode(p, dp[q], tmp, lim);
			if (x <= lim && BLOB_COST(x) < best)
				best = BLOB_COST(x);
			/* LZ4 of the XOR, the engine's other in-place patch. */
			for (int i = 0; i < 4096; i++)
				xbuf[i] = p[i] ^ dp[q][i];
			lim = best > 8 ? ENV_MIN(best - 8, keep) : 0;
			c = lim ? LZ4_compress_fast_extState(lz4st, (const char *)xbuf,
							     (char *)tmp, 4096,
							     (int)lim, 1)
				: 0;
			if (c > 0 && BLOB_COST((uint64_t)c) < best)
				best = BLOB_COST((uint64_t)c);
		}
		for (uint32_t j = 0; j < nt; j++)
			votes[touched[j]] = 0;
		cost += (double)best;
		if (++done % 1024 == 0)
			ms_progress("upper bound", done, nd);
	}
	ms_progress("upper bound", nd, nd);
	double total = (double)pages * 4096.0;
	out->total = 100.0 * (total - cost) / total;
	out->zero = 100.0 * (double)nzero / (double)pages;
	out->shared = 100.0 * (double)(pages - nzero - nd) / (double)pages;
	out->patched = out->compressed = 0; /* not split */
	free(bucket);
	free(next);
	free(dp);
	free(dgroup);
	free(dhash);
	free(bp);
	free(votes);
	free(touched);
	free(lz4st);
	free(tmp);
	free(xbuf);
}
