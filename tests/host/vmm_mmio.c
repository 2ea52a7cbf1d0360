/* The MMIO emulator against a fake device, through the fake backend: each
 * instruction form, its effect on registers, memory, flags and RIP. */
#include <stdlib.h>
#include "check.h"
#include "fake_backend.h"
#include "vmm/mmio.h"

#define DEV 0xfeb00000ull
#define CODE 0x1000ull
static uint8_t devmem[4096];
static unsigned reads, writes;

static int dread(void *c, uint64_t off, unsigned size, uint64_t *val)
{
	(void)c;
	if (off + size > sizeof(devmem))
		return -1;
	*val = 0;
	memcpy(val, devmem + off, size);
	reads++;
	return 0;
}

static int dwrite(void *c, uint64_t off, unsigned size, uint64_t val)
{
	(void)c;
	if (off + size > sizeof(devmem))
		return -1;
	memcpy(devmem + off, &val, size);
	writes++;
	return 0;
}

static struct vm *vm;
static struct vcpu *v;

/* Put `code` at CODE, point RIP at it, emulate an access to gpa. */
static enum vmm_action run(const void *code, size_t len, uint64_t gpa, bool write)
{
	if (!vm) {
		vm = fake_vm(2, CODE);
		struct mmio_region r = { DEV, 4096, dread, dwrite, NULL };
		vm_add_mmio(vm, &r);
		v = vm->vcpus[0];
	}
	vm_write(vm, CODE, code, len);
	fake(v)->reg[BE_RIP] = CODE;
	return vmm_mmio_emulate(v, gpa, write);
}

#define RIP() (fake(v)->reg[BE_RIP])
#define FLAGS() (fake(v)->reg[BE_RFLAGS])

TEST(mov_store_32_from_register)
{
	static const uint8_t c[] = { 0x89, 0x03 }; /* mov [ebx], eax */
	memset(devmem, 0, sizeof(devmem));
	vm = vm ? vm : NULL;
	run(c, 0, 0, false); /* set-up */
	v->regs.gpr[RAX] = 0xdeadbeef;
	v->regs.gpr[RBX] = DEV + 8;
	CHECK_EQ(run(c, sizeof(c), DEV + 8, true), VMM_RESUME);
	uint32_t got;
	memcpy(&got, devmem + 8, 4);
	CHECK_EQ(got, 0xdeadbeef);
	CHECK_EQ(RIP(), CODE + 2);
}

TEST(mov_load_8_16_32_preserve_or_zero_extend)
{
	static const uint8_t b[] = { 0x8a, 0x03 }, w[] = { 0x66, 0x8b, 0x03 }, h[] = { 0x8a, 0x23 };
	devmem[0] = 0x11;
	devmem[1] = 0x22;
	run(b, 0, 0, false);
	v->regs.gpr[RBX] = DEV;
	v->regs.gpr[RAX] = 0xffffffffffffffffull;
	run(b, sizeof(b), DEV, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xffffffffffffff11ull); /* mov al: rest kept */
	run(w, sizeof(w), DEV, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xffffffffffff2211ull); /* mov ax */
	CHECK_EQ(RIP(), CODE + 3);
	run(h, sizeof(h), DEV + 1, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xffffffffffff2211ull); /* mov ah, 0x22 */
}

TEST(mov_load_32_zero_extends_in_64_bit_mode)
{
	static const uint8_t c[] = { 0x8b, 0x03 }; /* mov eax, [rbx] */
	run(c, 0, 0, false);
	/* 64-bit: identity page tables at 0x10000 mapping the first 2 MiB. */
	uint64_t pml4 = 0x10000, pdpt = 0x11000, pd = 0x12000;
	uint64_t e = pdpt | 3;
	vm_write(vm, pml4, &e, 8);
	e = pd | 3;
	vm_write(vm, pdpt, &e, 8);
	e = 0x83;
	vm_write(vm, pd, &e, 8);
	fake_long_mode(v, pml4);
	memcpy(devmem, "\x78\x56\x34\x12", 4);
	v->regs.gpr[RAX] = ~0ull;
	v->regs.gpr[RBX] = DEV;
	CHECK_EQ(run(c, sizeof(c), DEV, false), VMM_RESUME);
	CHECK_EQ(v->regs.gpr[RAX], 0x12345678);
	static const uint8_t q[] = { 0x48, 0x89, 0x03 }; /* mov [rbx], rax */
	v->regs.gpr[RAX] = 0x1122334455667788ull;
	run(q, sizeof(q), DEV, true);
	uint64_t got;
	memcpy(&got, devmem, 8);
	CHECK_EQ(got, 0x1122334455667788ull);
	/* back to 32-bit for the other tests */
	fake(v)->reg[BE_EFER] = 0;
	fake(v)->reg[BE_CR0] = 0x11;
	fake(v)->reg[BE_CS_AR] = 0xc09b;
}

TEST(mov_immediate_and_moffs)
{
	static const uint8_t imm[] = { 0xc7, 0x05, 0x10, 0x00, 0xb0, 0xfe, 0x0d, 0xf0, 0xfe, 0xca };
	static const uint8_t moffs[] = { 0xa1, 0x10, 0x00, 0xb0, 0xfe }; /* mov eax, [0xfeb00010] */
	run(imm, sizeof(imm), DEV + 0x10, true);
	uint32_t got;
	memcpy(&got, devmem + 0x10, 4);
	CHECK_EQ(got, 0xcafef00d);
	v->regs.gpr[RAX] = 0;
	run(moffs, sizeof(moffs), DEV + 0x10, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xcafef00d);
	CHECK_EQ(RIP(), CODE + 5);
}

TEST(movzx_movsx)
{
	static const uint8_t zb[] = { 0x0f, 0xb6, 0x03 }, sb[] = { 0x0f, 0xbe, 0x03 }, sw[] = { 0x0f, 0xbf, 0x03 };
	devmem[0x20] = 0x80;
	devmem[0x21] = 0xff;
	run(zb, 0, 0, false);
	v->regs.gpr[RBX] = DEV + 0x20;
	run(zb, sizeof(zb), DEV + 0x20, false);
	CHECK_EQ(v->regs.gpr[RAX], 0x80);
	run(sb, sizeof(sb), DEV + 0x20, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xffffff80);
	run(sw, sizeof(sw), DEV + 0x20, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xffffff80);
}

TEST(rmw_and_or_xor_with_flags)
{
	static const uint8_t andi[] = { 0x81, 0x23, 0x00, 0xff, 0x00, 0x00 }; /* and dword [ebx], 0xff00 */
	static const uint8_t orr[] = { 0x09, 0x03 };                          /* or [ebx], eax */
	static const uint8_t xorb[] = { 0x80, 0x33, 0xff };                   /* xor byte [ebx], 0xff */
	uint32_t x = 0x1234f0f0;
	memcpy(devmem + 0x30, &x, 4);
	run(andi, 0, 0, false);
	v->regs.gpr[RBX] = DEV + 0x30;
	run(andi, sizeof(andi), DEV + 0x30, true);
	memcpy(&x, devmem + 0x30, 4);
	CHECK_EQ(x, 0xf000);
	CHECK(!(FLAGS() & 0x40));
	v->regs.gpr[RAX] = 0x80000000;
	run(orr, sizeof(orr), DEV + 0x30, true);
	memcpy(&x, devmem + 0x30, 4);
	CHECK_EQ(x, 0x8000f000);
	CHECK(FLAGS() & 0x80); /* SF */
	run(xorb, sizeof(xorb), DEV + 0x30, true);
	CHECK_EQ(devmem[0x30], 0xff);
	CHECK(FLAGS() & 0x4); /* PF: 8 bits set */
	CHECK(!(FLAGS() & 1));
}

TEST(test_and_cmp_only_set_flags)
{
	static const uint8_t cmp[] = { 0x83, 0x3b, 0x07 };  /* cmp dword [ebx], 7 */
	static const uint8_t test[] = { 0x85, 0x03 };       /* test [ebx], eax */
	uint32_t x = 5;
	memcpy(devmem + 0x40, &x, 4);
	run(cmp, 0, 0, false);
	v->regs.gpr[RBX] = DEV + 0x40;
	unsigned w0 = writes;
	run(cmp, sizeof(cmp), DEV + 0x40, false);
	CHECK(FLAGS() & 1);    /* 5 < 7: CF */
	CHECK(FLAGS() & 0x80); /* negative */
	CHECK(!(FLAGS() & 0x40));
	v->regs.gpr[RAX] = 2;
	run(test, sizeof(test), DEV + 0x40, false);
	CHECK(FLAGS() & 0x40); /* 5 & 2 == 0 */
	CHECK_EQ(writes, w0);
	memcpy(&x, devmem + 0x40, 4);
	CHECK_EQ(x, 5);
}

TEST(add_sub_overflow_and_carry)
{
	static const uint8_t add[] = { 0x01, 0x03 }, sub[] = { 0x29, 0x03 };
	uint32_t x = 0x7fffffff;
	memcpy(devmem + 0x50, &x, 4);
	run(add, 0, 0, false);
	v->regs.gpr[RBX] = DEV + 0x50;
	v->regs.gpr[RAX] = 1;
	run(add, sizeof(add), DEV + 0x50, true);
	memcpy(&x, devmem + 0x50, 4);
	CHECK_EQ(x, 0x80000000);
	CHECK(FLAGS() & 0x800); /* OF */
	CHECK(!(FLAGS() & 1));
	v->regs.gpr[RAX] = 0x80000001;
	run(sub, sizeof(sub), DEV + 0x50, true);
	memcpy(&x, devmem + 0x50, 4);
	CHECK_EQ(x, 0xffffffff);
	CHECK(FLAGS() & 1); /* borrow */
}

TEST(xchg_swaps)
{
	static const uint8_t c[] = { 0x87, 0x03 };
	uint32_t x = 0x22222222;
	memcpy(devmem + 0x60, &x, 4);
	run(c, 0, 0, false);
	v->regs.gpr[RBX] = DEV + 0x60;
	v->regs.gpr[RAX] = 0x11111111;
	run(c, sizeof(c), DEV + 0x60, true);
	memcpy(&x, devmem + 0x60, 4);
	CHECK_EQ(x, 0x11111111);
	CHECK_EQ(v->regs.gpr[RAX], 0x22222222);
}

TEST(rep_stos_one_element_per_exit)
{
	static const uint8_t c[] = { 0xf3, 0xab }; /* rep stosd */
	memset(devmem + 0x100, 0, 64);
	run(c, 0, 0, false);
	v->regs.gpr[RDI] = DEV + 0x100;
	v->regs.gpr[RCX] = 3;
	v->regs.gpr[RAX] = 0xabababab;
	fake(v)->reg[BE_RFLAGS] = 2;
	run(c, sizeof(c), DEV + 0x100, true);
	CHECK_EQ(RIP(), CODE); /* not done: RIP stays */
	CHECK_EQ(v->regs.gpr[RCX], 2);
	CHECK_EQ(v->regs.gpr[RDI], DEV + 0x104);
	run(c, sizeof(c), DEV + 0x104, true);
	run(c, sizeof(c), DEV + 0x108, true);
	CHECK_EQ(v->regs.gpr[RCX], 0);
	CHECK_EQ(RIP(), CODE + 2);
	uint32_t x;
	memcpy(&x, devmem + 0x108, 4);
	CHECK_EQ(x, 0xabababab);
	memcpy(&x, devmem + 0x10c, 4);
	CHECK_EQ(x, 0);
}

TEST(movs_between_ram_and_device_both_ways)
{
	static const uint8_t c[] = { 0xa5 }; /* movsd */
	uint32_t src = 0x55aa55aa;
	run(c, 0, 0, false);
	vm_write(vm, 0x5000, &src, 4);
	v->regs.gpr[RSI] = 0x5000;
	v->regs.gpr[RDI] = DEV + 0x200;
	run(c, sizeof(c), DEV + 0x200, true);
	uint32_t x;
	memcpy(&x, devmem + 0x200, 4);
	CHECK_EQ(x, 0x55aa55aa);
	CHECK_EQ(v->regs.gpr[RSI], 0x5004);
	v->regs.gpr[RSI] = DEV + 0x200;
	v->regs.gpr[RDI] = 0x6000;
	fake(v)->reg[BE_RFLAGS] = 2 | (1u << 10); /* DF: backwards */
	run(c, sizeof(c), DEV + 0x200, false);
	vm_read(vm, 0x6000, &x, 4);
	CHECK_EQ(x, 0x55aa55aa);
	CHECK_EQ(v->regs.gpr[RDI], 0x5ffc);
	fake(v)->reg[BE_RFLAGS] = 2;
}

TEST(outside_memory_reads_all_ones_writes_dropped)
{
	static const uint8_t ld[] = { 0x8b, 0x03 }, st[] = { 0x89, 0x03 };
	run(ld, 0, 0, false);
	v->regs.gpr[RBX] = 0x40000000;
	unsigned w0 = writes;
	uint64_t ow = vm->ctr.outside_writes;
	run(st, sizeof(st), 0x40000000, true);
	CHECK_EQ(writes, w0);
	CHECK_EQ(vm->ctr.outside_writes, ow + 1);
	run(ld, sizeof(ld), 0x40000000, false);
	CHECK_EQ(v->regs.gpr[RAX], 0xffffffff);
}

TEST(unsupported_instruction_stops_vm_not_host)
{
	static const uint8_t c[] = { 0x0f, 0xc7, 0x0b }; /* cmpxchg8b [ebx] */
	run(c, 0, 0, false);
	v->regs.gpr[RBX] = DEV;
	CHECK_EQ(run(c, sizeof(c), DEV, true), VMM_STOP);
	CHECK(vm->stopped);
	CHECK(strstr(vm->stop_reason, "MMIO at gpa 0xfeb00000"));
	fake_vm_free(vm);
	vm = NULL;
}

TEST(garbage_bytes_never_crash)
{
	/* Random instruction bytes against the device: the emulator may stop the
	 * VM, but never touches memory it must not (ASan) or loops. */
	srand(99);
	for (int i = 0; i < 3000; i++) {
		uint8_t c[15];
		for (int j = 0; j < 15; j++)
			c[j] = (uint8_t)rand();
		run(c, 0, 0, false);
		for (int r = 0; r < 16; r++)
			v->regs.gpr[r] = (uint64_t)rand() << (rand() % 40);
		vm->stopped = false;
		run(c, sizeof(c), DEV + (uint64_t)(rand() % 4080), rand() & 1);
	}
	fake_vm_free(vm);
	vm = NULL;
}
