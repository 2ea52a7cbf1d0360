/*
 * MMIO emulation. A guest access to an MMIO range (or to no memory at all)
 * exits as an EPT violation; the instruction is fetched from the guest,
 * decoded with Zydis and its effect carried out against the device model:
 *   MOV (all widths, reg/imm/moffs), MOVZX, MOVSX, MOVSXD,
 *   AND/OR/XOR/ADD/SUB with memory as destination (read-modify-write) or
 *   source, TEST and CMP (flags only), XCHG, STOS and MOVS (with REP: one
 *   element per exit, RIP stays until RCX reaches 0).
 * Arithmetic flags follow the SDM's definitions (Vol. 1 3.4.3, Vol. 2 per
 * instruction). Anything else stops the VM with the instruction bytes:
 * Ditto never guesses what an instruction meant.
 */
#include "ditto/fmt.h"
#include <errno.h>
#include "vmm/mmio.h"
#include "vmm/platform.h"
#include <Zydis/Zydis.h>

#define RF_CF (1ull << 0)
#define RF_PF (1ull << 2)
#define RF_AF (1ull << 4)
#define RF_ZF (1ull << 6)
#define RF_SF (1ull << 7)
#define RF_DF (1ull << 10)
#define RF_OF (1ull << 11)
#define RF_ARITH (RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_OF)

struct emu {
	struct vcpu *v;
	struct mmio_region *r;
	uint64_t gpa;
	ZydisMachineMode mode;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t bytes[16];
	size_t nbytes;
};

static enum vmm_action fail(struct emu *e, const char *why)
{
	char hex[48] = "";
	size_t n = e->nbytes < 15 ? e->nbytes : 15;
	for (size_t i = 0; i < n; i++)
		fmt_snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", e->bytes[i]);
	vm_stop(e->v->vm, "MMIO at gpa 0x%llx: %s (rip 0x%llx, bytes %s)", (unsigned long long)e->gpa, why,
		(unsigned long long)be_get(e->v, BE_RIP), hex);
	return VMM_STOP;
}

static uint64_t size_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/* Access at gpa: RAM, a device, or nothing (all-ones / dropped). */
static int mem_access(struct emu *e, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = e->v->vm;
	if (gpa < vm->mem_size)
		return write ? vm_write(vm, gpa, val, size) : vm_read(vm, gpa, val, size);
	struct mmio_region *r = vm_find_mmio(vm, gpa);
	vm->ctr.mmio_emulated++;
	if (r) {
		if (gpa - r->base + size > r->size)
			return -1; /* straddles the end of the device's range */
		int rc = write ? r->write(r->ctx, gpa - r->base, size, *val & size_mask(size))
			       : r->read(r->ctx, gpa - r->base, size, val);
		if (!write)
			*val &= size_mask(size);
		return rc;
	}
	if (vm->platform && size <= 4) {
		uint32_t x = (uint32_t)*val;
		int rc = board_mmio(&vm->platform->board, e->v->id, gpa, size, write, &x);
		if (rc != -ENOENT) {
			if (!write)
				*val = x & size_mask(size);
			return rc;
		}
	}
	if (write) {
		vm->ctr.outside_writes++;
	} else {
		vm->ctr.outside_reads++;
		*val = size_mask(size);
	}
	return 0;
}

/* Zydis register -> GPR number, width in bytes, high-byte (AH..BH). */
static bool reg_info(struct emu *e, ZydisRegister reg, enum gpr *g, unsigned *bytes, bool *high)
{
	ZydisRegister big = ZydisRegisterGetLargestEnclosing(e->mode, reg);
	if (big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15)
		*g = (enum gpr)(big - ZYDIS_REGISTER_RAX);
	else if (big >= ZYDIS_REGISTER_EAX && big <= ZYDIS_REGISTER_R15D)
		*g = (enum gpr)(big - ZYDIS_REGISTER_EAX);
	else
		return false;
	*bytes = ZydisRegisterGetWidth(e->mode, reg) / 8;
	*high = reg == ZYDIS_REGISTER_AH || reg == ZYDIS_REGISTER_CH || reg == ZYDIS_REGISTER_DH ||
		reg == ZYDIS_REGISTER_BH;
	return *bytes >= 1 && *bytes <= 8;
}

static bool reg_read(struct emu *e, ZydisRegister reg, uint64_t *val)
{
	enum gpr g;
	unsigned b;
	bool hi;
	if (!reg_info(e, reg, &g, &b, &hi))
		return false;
	uint64_t x = vcpu_gpr(e->v, g);
	*val = hi ? (x >> 8) & 0xff : x & size_mask(b);
	return true;
}

/* Writes follow the architecture: 32-bit results zero-extend to 64 bits in
 * 64-bit mode, 8- and 16-bit results keep the rest of the register. */
static bool reg_write(struct emu *e, ZydisRegister reg, uint64_t val)
{
	enum gpr g;
	unsigned b;
	bool hi;
	if (!reg_info(e, reg, &g, &b, &hi))
		return false;
	uint64_t x = vcpu_gpr(e->v, g);
	if (hi)
		x = (x & ~0xff00ull) | ((val & 0xff) << 8);
	else if (b == 4)
		x = val & 0xffffffffull;
	else
		x = (x & ~size_mask(b)) | (val & size_mask(b));
	vcpu_set_gpr(e->v, g, x);
	return true;
}

static bool parity_even(uint64_t v)
{
	uint8_t b = (uint8_t)v;
	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

static void set_flags(struct emu *e, uint64_t f)
{
	uint64_t rf = be_get(e->v, BE_RFLAGS);
	be_set(e->v, BE_RFLAGS, (rf & ~RF_ARITH) | f);
}

static uint64_t szp(uint64_t res, unsigned bytes)
{
	uint64_t m = size_mask(bytes), f = 0;
	res &= m;
	if (!res)
		f |= RF_ZF;
	if (res >> (8 * bytes - 1) & 1)
		f |= RF_SF;
	if (parity_even(res))
		f |= RF_PF;
	return f;
}

enum alu { ALU_AND, ALU_OR, ALU_XOR, ALU_ADD, ALU_SUB };

/* Result and flags of a op b at this width. */
static uint64_t alu(enum alu op, uint64_t a, uint64_t b, unsigned bytes, uint64_t *flags)
{
	uint64_t m = size_mask(bytes), sign = 1ull << (8 * bytes - 1), r;
	a &= m;
	b &= m;
	switch (op) {
	case ALU_AND: r = a & b; *flags = szp(r, bytes); return r;
	case ALU_OR: r = a | b; *flags = szp(r, bytes); return r;
	case ALU_XOR: r = a ^ b; *flags = szp(r, bytes); return r;
	case ALU_ADD:
		r = (a + b) & m;
		*flags = szp(r, bytes) | (r < a ? RF_CF : 0) | (((a ^ r) & (b ^ r) & sign) ? RF_OF : 0) |
			 (((a ^ b ^ r) & 0x10) ? RF_AF : 0);
		return r;
	default: /* SUB, CMP */
		r = (a - b) & m;
		*flags = szp(r, bytes) | (a < b ? RF_CF : 0) | (((a ^ b) & (a ^ r) & sign) ? RF_OF : 0) |
			 (((a ^ b ^ r) & 0x10) ? RF_AF : 0);
		return r;
	}
}

static uint64_t sign_extend(uint64_t v, unsigned from_bytes)
{
	unsigned sh = 64 - 8 * from_bytes;
	return from_bytes >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

static int find_mem(struct emu *e)
{
	for (int i = 0; i < e->in.operand_count_visible; i++)
		if (e->op[i].type == ZYDIS_OPERAND_TYPE_MEMORY && e->op[i].mem.type == ZYDIS_MEMOP_TYPE_MEM)
			return i;
	return -1;
}

static bool operand_value(struct emu *e, const ZydisDecodedOperand *o, uint64_t *val)
{
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER)
		return reg_read(e, o->reg.value, val);
	if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		*val = o->imm.is_signed ? (uint64_t)o->imm.value.s : o->imm.value.u;
		return true;
	}
	return false;
}

static enum vmm_action done(struct emu *e)
{
	be_set(e->v, BE_RIP, be_get(e->v, BE_RIP) + e->in.length);
	return VMM_RESUME;
}

/* String instructions: one element, then RIP moves only when RCX runs out. */
static enum vmm_action string_op(struct emu *e, bool movs)
{
	struct vcpu *v = e->v;
	unsigned size = e->in.operand_width / 8;
	unsigned as = e->in.address_width / 8;
	uint64_t am = size_mask(as);
	bool rep = e->in.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE);
	if (rep && !(vcpu_gpr(v, RCX) & am))
		return done(e);
	bool df = be_get(v, BE_RFLAGS) & RF_DF;
	uint64_t val = vcpu_gpr(v, RAX) & size_mask(size);
	uint64_t di = vcpu_gpr(v, RDI) & am, si = vcpu_gpr(v, RSI) & am;
	uint64_t dst_gpa, src_gpa;
	uint32_t pf;
	if (vmm_linear_to_gpa(v, be_get(v, BE_ES_BASE) + di, true, &dst_gpa, &pf))
		return fail(e, "string destination not mapped by the guest");
	if (movs) {
		/* Source segment: DS unless overridden; flat bases in the modes used. */
		if (vmm_linear_to_gpa(v, be_get(v, BE_DS_BASE) + si, false, &src_gpa, &pf))
			return fail(e, "string source not mapped by the guest");
		if (mem_access(e, src_gpa, size, false, &val))
			return fail(e, "device refused the read");
	}
	if (mem_access(e, dst_gpa, size, true, &val))
		return fail(e, "device refused the write");
	uint64_t step = df ? (uint64_t)0 - size : size;
	vcpu_set_gpr(v, RDI, (vcpu_gpr(v, RDI) & ~am) | ((di + step) & am));
	if (movs)
		vcpu_set_gpr(v, RSI, (vcpu_gpr(v, RSI) & ~am) | ((si + step) & am));
	if (rep) {
		uint64_t c = ((vcpu_gpr(v, RCX) & am) - 1) & am;
		vcpu_set_gpr(v, RCX, (vcpu_gpr(v, RCX) & ~am) | c);
		if (c)
			return VMM_RESUME;
	}
	return done(e);
}

static enum vmm_action emulate(struct emu *e)
{
	int mi = find_mem(e);
	ZydisMnemonic mn = e->in.mnemonic;
	if ((mn == ZYDIS_MNEMONIC_STOSB || mn == ZYDIS_MNEMONIC_STOSW || mn == ZYDIS_MNEMONIC_STOSD ||
	     mn == ZYDIS_MNEMONIC_STOSQ) && e->in.meta.category == ZYDIS_CATEGORY_STRINGOP)
		return string_op(e, false);
	/* MOVSD is both the string move and an SSE2 move: the category tells. */
	if ((mn == ZYDIS_MNEMONIC_MOVSB || mn == ZYDIS_MNEMONIC_MOVSW || mn == ZYDIS_MNEMONIC_MOVSD ||
	     mn == ZYDIS_MNEMONIC_MOVSQ) && e->in.meta.category == ZYDIS_CATEGORY_STRINGOP)
		return string_op(e, true);
	if (mi < 0 || e->in.operand_count_visible < 2)
		return fail(e, "instruction has no memory operand Ditto emulates");
	unsigned msize = e->op[mi].size / 8;
	if (msize < 1 || msize > 8)
		return fail(e, "memory operand wider than 8 bytes");
	const ZydisDecodedOperand *other = &e->op[mi == 0 ? 1 : 0];
	uint64_t mval = 0, oval = 0, flags;

	switch (mn) {
	case ZYDIS_MNEMONIC_MOV:
		if (mi == 0) {
			if (!operand_value(e, other, &oval))
				return fail(e, "unsupported MOV source");
			if (mem_access(e, e->gpa, msize, true, &oval))
				return fail(e, "device refused the write");
		} else {
			if (mem_access(e, e->gpa, msize, false, &mval))
				return fail(e, "device refused the read");
			if (!reg_write(e, other->reg.value, mval))
				return fail(e, "unsupported MOV destination");
		}
		return done(e);
	case ZYDIS_MNEMONIC_MOVZX:
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD:
		if (mi != 1 || mem_access(e, e->gpa, msize, false, &mval))
			return fail(e, "unsupported MOVZX/MOVSX form");
		if (mn != ZYDIS_MNEMONIC_MOVZX)
			mval = sign_extend(mval, msize);
		if (!reg_write(e, other->reg.value, mval))
			return fail(e, "unsupported MOVZX/MOVSX destination");
		return done(e);
	case ZYDIS_MNEMONIC_XCHG:
		if (other->type != ZYDIS_OPERAND_TYPE_REGISTER || !reg_read(e, other->reg.value, &oval) ||
		    mem_access(e, e->gpa, msize, false, &mval) || mem_access(e, e->gpa, msize, true, &oval) ||
		    !reg_write(e, other->reg.value, mval))
			return fail(e, "XCHG failed");
		return done(e);
	case ZYDIS_MNEMONIC_AND:
	case ZYDIS_MNEMONIC_OR:
	case ZYDIS_MNEMONIC_XOR:
	case ZYDIS_MNEMONIC_ADD:
	case ZYDIS_MNEMONIC_SUB:
	case ZYDIS_MNEMONIC_TEST:
	case ZYDIS_MNEMONIC_CMP: {
		enum alu op = mn == ZYDIS_MNEMONIC_AND || mn == ZYDIS_MNEMONIC_TEST ? ALU_AND
			      : mn == ZYDIS_MNEMONIC_OR			     ? ALU_OR
			      : mn == ZYDIS_MNEMONIC_XOR			     ? ALU_XOR
			      : mn == ZYDIS_MNEMONIC_ADD			     ? ALU_ADD
									     : ALU_SUB;
		if (!operand_value(e, other, &oval) || mem_access(e, e->gpa, msize, false, &mval))
			return fail(e, "ALU operand unsupported or device refused the read");
		uint64_t a = mi == 0 ? mval : oval, b = mi == 0 ? oval : mval;
		uint64_t r = alu(op, a, b, msize, &flags);
		set_flags(e, flags);
		if (mn == ZYDIS_MNEMONIC_TEST || mn == ZYDIS_MNEMONIC_CMP)
			return done(e);
		if (mi == 0) {
			if (mem_access(e, e->gpa, msize, true, &r))
				return fail(e, "device refused the write");
		} else if (!reg_write(e, other->reg.value, r)) {
			return fail(e, "ALU destination unsupported");
		}
		return done(e);
	}
	default:
		return fail(e, "instruction not emulated for MMIO");
	}
}

enum vmm_action vmm_mmio_emulate(struct vcpu *v, uint64_t gpa, bool write)
{
	struct emu e;
	memset(&e, 0, sizeof(e));
	e.v = v;
	e.gpa = gpa;
	uint64_t rip = be_get(v, BE_RIP);
	uint64_t cs_ar = be_get(v, BE_CS_AR);
	if (vcpu_long_mode(v))
		e.mode = ZYDIS_MACHINE_MODE_LONG_64;
	else if (cs_ar & (1u << 14))
		e.mode = ZYDIS_MACHINE_MODE_LEGACY_32;
	else
		e.mode = (be_get(v, BE_CR0) & 1) ? ZYDIS_MACHINE_MODE_LEGACY_16 : ZYDIS_MACHINE_MODE_REAL_16;
	uint64_t la = (e.mode == ZYDIS_MACHINE_MODE_LONG_64 ? 0 : be_get(v, BE_CS_BASE)) + rip;
	/* Fetch up to 15 bytes; near the end of a mapped page take what is there. */
	size_t n = 15;
	while (n && vmm_read_linear(v, la, e.bytes, n))
		n = n > (size_t)(4096 - (la & 4095)) ? (size_t)(4096 - (la & 4095)) : n - 1;
	e.nbytes = n;
	if (!n)
		return fail(&e, "instruction bytes not readable");
	ZydisDecoder dec;
	ZydisStackWidth sw = e.mode == ZYDIS_MACHINE_MODE_LONG_64 ? ZYDIS_STACK_WIDTH_64
			     : e.mode == ZYDIS_MACHINE_MODE_LEGACY_32 ? ZYDIS_STACK_WIDTH_32
								      : ZYDIS_STACK_WIDTH_16;
	if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, e.mode, sw)) ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, e.bytes, n, &e.in, e.op)))
		return fail(&e, "instruction does not decode");
	(void)write;
	return emulate(&e);
}
