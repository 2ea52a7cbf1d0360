/* I/O exits: every width, unclaimed ports, string I/O with REP. */
#include "guest.h"

int gmain(void)
{
	outl(0xe0, 0x12345678);
	CHECK("outl_inl", inl(0xe0) == 0x12345678);
	outb(0xe1, 0xab);
	CHECK("outb_inb_offset", inb(0xe1) == 0xab && inl(0xe0) == 0x1234ab78);
	outw(0xe2, 0xbeef);
	CHECK("outw_inw", inw(0xe2) == 0xbeef);
	CHECK("unclaimed_byte_ff", inb(0x377) == 0xff);
	CHECK("unclaimed_word_ffff", inw(0x1f0) == 0xffff);
	CHECK("unclaimed_dword", inl(0xcfc) == 0xffffffff);
	outb(0x80, 0x42); /* the POST port: must not reach anything */
	static const char msg[] = "string-io";
	const char *sp = msg;
	uint32_t n = 9;
	__asm__ volatile("cld; rep outsb" : "+S"(sp), "+c"(n) : "d"(0xe4) : "memory");
	CHECK("rep_outsb_regs", n == 0 && sp == msg + 9);
	char back[10] = { 0 };
	char *dp = back;
	n = 9;
	__asm__ volatile("rep insb" : "+D"(dp), "+c"(n) : "d"(0xe4) : "memory");
	CHECK("rep_insb_regs", n == 0 && dp == back + 9);
	CHECK("rep_outsb_insb", !__builtin_memcmp(back, msg, 9));
	uint32_t words[2] = { 0x11223344, 0x55667788 }, wback[2] = { 0, 0 };
	uint32_t *wp = words, *wq = wback;
	n = 2;
	__asm__ volatile("rep outsl" : "+S"(wp), "+c"(n) : "d"(0xe4) : "memory");
	n = 2;
	__asm__ volatile("rep insl" : "+D"(wq), "+c"(n) : "d"(0xe4) : "memory");
	CHECK("rep_outsl_insl", wback[0] == words[0] && wback[1] == words[1]);
	CHECK("empty_fifo_reads_ff", inb(0xe4) == 0xff);
	return 0;
}
