/*
 * Boot self-test of the four third-party libraries as compiled into the
 * monitor (freestanding flags, our libc stubs): a wrong define or a missing
 * builtin shows up here at boot rather than as a wrong page later.
 */
#include "ditto/env.h"
#include "lib/console.h"
#include "lib/selftest.h"
#include "lib/selftest_page.h"
#include "selftest_expect.h"
#include "xxhash.h"
#include "lz4.h"
#include "xdelta3.h"
#include <Zydis/Zydis.h>

static uint8_t page[4096], work[4096 + 512], back[4096];
/* LZ4's state lives here, never on the stack (16 KiB; deps.md). */
static uint64_t lz4_state[(16384 + 64) / 8];

static bool test_xxh64(void)
{
	uint64_t h = XXH64(page, sizeof(page), SELFTEST_XXH64_SEED);
	kprintf("selftest: xxh64  %s (0x%016llx, host 0x%016llx)\n",
		h == SELFTEST_XXH64_EXPECT ? "ok" : "FAILED", (unsigned long long)h,
		(unsigned long long)SELFTEST_XXH64_EXPECT);
	return h == SELFTEST_XXH64_EXPECT;
}

static bool test_lz4(void)
{
	bool ok = (size_t)LZ4_sizeofState() <= sizeof(lz4_state);
	int c = ok ? LZ4_compress_fast_extState(lz4_state, (const char *)page, (char *)work,
						 sizeof(page), sizeof(work), 1)
		   : 0;
	int d = c > 0 ? LZ4_decompress_safe((const char *)work, (char *)back, c, sizeof(back)) : -1;
	ok = ok && c > 0 && d == (int)sizeof(page) && !memcmp(page, back, sizeof(page));
	kprintf("selftest: lz4    %s (4096 -> %d bytes, round trip %s)\n", ok ? "ok" : "FAILED", c,
		ok ? "exact" : "wrong");
	return ok;
}

static bool test_xdelta3(void)
{
	/* Target = the page with 8 bytes inserted at 100 (shifted content). */
	static uint8_t target[4096];
	memcpy(target, page, 100);
	memcpy(target + 100, "INSERTED", 8);
	memcpy(target + 108, page + 100, sizeof(target) - 108);
	usize_t dsize = 0, osize = 0;
	int r = xd3_encode_memory(target, sizeof(target), page, sizeof(page), work, &dsize,
				  sizeof(work), XD3_COMPLEVEL_1);
	int r2 = r ? -1 : xd3_decode_memory(work, dsize, page, sizeof(page), back, &osize,
					    sizeof(back), 0);
	bool ok = !r && !r2 && osize == sizeof(target) && !memcmp(back, target, sizeof(target));
	kprintf("selftest: xdelta3 %s (delta %u bytes, round trip %s)\n", ok ? "ok" : "FAILED",
		(unsigned)dsize, ok ? "exact" : "wrong");
	return ok;
}

static bool test_zydis(void)
{
	/* mov eax, dword ptr [rbx+0x8] */
	static const uint8_t insn[] = { 0x8b, 0x43, 0x08 };
	ZydisDecoder dec;
	ZydisDecodedInstruction ins;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	bool ok = ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) &&
		  ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, insn, sizeof(insn), &ins, ops)) &&
		  ins.mnemonic == ZYDIS_MNEMONIC_MOV && ins.length == 3 &&
		  ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_EAX &&
		  ops[1].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[1].mem.base == ZYDIS_REGISTER_RBX &&
		  ops[1].mem.disp.value == 8 && ops[1].size == 32;
	kprintf("selftest: zydis  %s (8b 43 08 = mov eax, [rbx+0x8])\n", ok ? "ok" : "FAILED");
	return ok;
}

unsigned selftest_run(void)
{
	selftest_fill_page(page);
	unsigned failed = 0;
	failed |= test_xxh64() ? 0 : SELFTEST_XXH64;
	failed |= test_lz4() ? 0 : SELFTEST_LZ4;
	failed |= test_xdelta3() ? 0 : SELFTEST_XDELTA3;
	failed |= test_zydis() ? 0 : SELFTEST_ZYDIS;
	return failed;
}
