/* MMIO emulation: every instruction form guests use on device registers,
 * against the test device's register page at 0xfeb00000. */
#include "guest.h"

#define MMIO ((volatile uint8_t *)0xfeb00000u)
#define R8(o) (*(volatile uint8_t *)(MMIO + (o)))
#define R16(o) (*(volatile uint16_t *)(MMIO + (o)))
#define R32(o) (*(volatile uint32_t *)(MMIO + (o)))

static uint32_t eflags(void) { uint32_t f; __asm__ volatile("pushfl; popl %0" : "=r"(f)); return f; }

int gmain(void)
{
	R32(0) = 0xdeadbeef;
	CHECK("mov_store_load_32", R32(0) == 0xdeadbeef);
	R16(8) = 0x1234;
	CHECK("mov_16", R16(8) == 0x1234);
	R8(16) = 0x5a;
	CHECK("mov_8", R8(16) == 0x5a);
	uint32_t v;
	__asm__ volatile("movl $0xcafef00d, 0xfeb00020" ::: "memory");
	__asm__ volatile("movl 0xfeb00020, %0" : "=r"(v)); /* A1 moffs form when eax */
	CHECK("mov_imm_and_abs", v == 0xcafef00d);
	__asm__ volatile("movl %%eax, 0xfeb00024" ::"a"(0x600dd00d) : "memory"); /* A3 moffs */
	__asm__ volatile("movl 0xfeb00024, %%eax" : "=a"(v));
	CHECK("mov_moffs_eax", v == 0x600dd00d);
	uint8_t ah = 0;
	R8(17) = 0x77;
	__asm__ volatile("movb 0xfeb00011, %%ah; movb %%ah, %0" : "=r"(ah) : : "eax");
	CHECK("mov_high_byte_reg", ah == 0x77);
	R32(32) = 0x000080ff;
	__asm__ volatile("movzbl 0xfeb00020, %0" : "=r"(v));
	CHECK("movzx_byte", v == 0xff);
	__asm__ volatile("movsbl 0xfeb00020, %0" : "=r"(v));
	CHECK("movsx_byte", v == 0xffffffff);
	__asm__ volatile("movswl 0xfeb00020, %0" : "=r"(v));
	CHECK("movsx_word", v == 0xffff80ff);
	__asm__ volatile("movzwl 0xfeb00020, %0" : "=r"(v));
	CHECK("movzx_word", v == 0x80ff);
	R32(40) = 0xf0f0f0f0;
	__asm__ volatile("andl $0x0ff00ff0, 0xfeb00028" ::: "memory", "cc");
	CHECK("and_mem_imm", R32(40) == 0x00f000f0);
	__asm__ volatile("orl %0, 0xfeb00028" ::"r"(0x0f000000u) : "memory", "cc");
	CHECK("or_mem_reg", R32(40) == 0x0ff000f0);
	__asm__ volatile("xorb $0xff, 0xfeb00028" ::: "memory", "cc");
	CHECK("xor_mem_byte", R32(40) == 0x0ff0000f);
	v = 0xffff0000;
	__asm__ volatile("andl 0xfeb00028, %0" : "+r"(v) : : "cc");
	CHECK("and_reg_mem", v == 0x0ff00000);
	R32(44) = 0;
	__asm__ volatile("testl $1, 0xfeb0002c" ::: "cc");
	CHECK("test_sets_zf", eflags() & 0x40);
	R32(44) = 5;
	uint32_t f;
	__asm__ volatile("cmpl $7, 0xfeb0002c; pushfl; popl %0" : "=r"(f) : : "cc");
	CHECK("cmp_borrow_sets_cf_sf", (f & 1) && (f & 0x80) && !(f & 0x40));
	__asm__ volatile("cmpl $5, 0xfeb0002c; pushfl; popl %0" : "=r"(f) : : "cc");
	CHECK("cmp_equal_zf", (f & 0x40) && !(f & 1));
	__asm__ volatile("addl $0x7ffffffb, 0xfeb0002c; pushfl; popl %0" : "=r"(f) : : "memory", "cc");
	CHECK("add_overflow_of", R32(44) == 0x80000000u && (f & 0x800));
	__asm__ volatile("subl $1, 0xfeb0002c" ::: "memory", "cc");
	CHECK("sub_mem", R32(44) == 0x7fffffffu);
	v = 0x11111111;
	R32(48) = 0x22222222;
	__asm__ volatile("xchgl %0, 0xfeb00030" : "+r"(v) : : "memory");
	CHECK("xchg", v == 0x22222222 && R32(48) == 0x11111111);
	uint32_t di = 0xfeb00100u, cnt = 4;
	__asm__ volatile("cld; rep stosl" : "+D"(di), "+c"(cnt) : "a"(0xabababab) : "memory");
	CHECK("rep_stos", R32(0x100) == 0xabababab && R32(0x10c) == 0xabababab && R32(0x110) == 0 &&
				  cnt == 0 && di == 0xfeb00110u);
	static uint32_t src[4] = { 1, 2, 3, 4 }, dst[4];
	uint32_t si = (uint32_t)src;
	di = 0xfeb00200u;
	cnt = 4;
	__asm__ volatile("rep movsl" : "+S"(si), "+D"(di), "+c"(cnt) : : "memory");
	CHECK("rep_movs_to_mmio", R32(0x200) == 1 && R32(0x20c) == 4 && cnt == 0);
	si = 0xfeb00200u;
	di = (uint32_t)dst;
	cnt = 4;
	__asm__ volatile("rep movsl" : "+S"(si), "+D"(di), "+c"(cnt) : : "memory");
	CHECK("rep_movs_from_mmio", dst[0] == 1 && dst[3] == 4 && si == 0xfeb00210u);
	si = (uint32_t)src;
	di = 0xfeb00300u;
	__asm__ volatile("std; movsb; cld" : "+S"(si), "+D"(di) : : "memory");
	CHECK("movs_backwards_df", R8(0x300) == 1 && di == 0xfeb002ffu && si == (uint32_t)src - 1);
	return 0;
}
