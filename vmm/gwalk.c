/*
 * Guest page walk (SDM Vol. 3A 4.3 32-bit, 4.4 PAE, 4.5 4-level) in software:
 * the emulator needs the guest-physical address of instruction bytes and
 * string operands. Every table read goes through vm_read, so a guest that
 * points its tables outside its RAM gets a #PF, not a host access.
 */
#include <errno.h>
#include "vmm/vmm.h"

#define PF_P 1u
#define PF_W 2u
#define PF_U 4u
#define CR0_PG (1ull << 31)
#define CR0_WP (1ull << 16)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define EFER_LMA (1ull << 10)

static int fault(uint32_t *pf, bool present, bool write, bool user)
{
	*pf = (present ? PF_P : 0) | (write ? PF_W : 0) | (user ? PF_U : 0);
	return -EFAULT;
}

int vmm_linear_to_gpa(struct vcpu *v, uint64_t la, bool write, uint64_t *gpa, uint32_t *pf)
{
	uint64_t cr0 = be_get(v, BE_CR0), cr4 = be_get(v, BE_CR4), efer = be_get(v, BE_EFER);
	bool user = vcpu_cpl(v) == 3;
	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffull;
		return 0;
	}
	uint64_t table = be_get(v, BE_CR3);
	bool rw = true, us = true;
	int levels, shift;
	bool wide = true; /* 8-byte entries */
	if (efer & EFER_LMA) {
		levels = 4;
		shift = 39;
		table &= 0x000ffffffffff000ull;
	} else if (cr4 & CR4_PAE) {
		levels = 3;
		shift = 30;
		table &= 0xffffffe0ull;
		la &= 0xffffffffull;
	} else {
		levels = 2;
		shift = 22;
		wide = false;
		table &= 0xfffff000ull;
		la &= 0xffffffffull;
	}
	for (int l = 0; l < levels; l++) {
		unsigned bits = (levels == 3 && l == 0) ? 2 : wide ? 9 : 10;
		uint64_t idx = (la >> shift) & ((1ull << bits) - 1);
		uint64_t e = 0;
		if (vm_read(v->vm, table + idx * (wide ? 8 : 4), &e, wide ? 8 : 4))
			return fault(pf, false, write, user);
		if (!(e & 1))
			return fault(pf, false, write, user);
		bool pae_pdpte = levels == 3 && l == 0; /* no R/W, U/S bits there */
		if (!pae_pdpte) {
			rw = rw && (e & 2);
			us = us && (e & 4);
		}
		bool leaf = l == levels - 1 ||
			    ((l > 0 || levels == 2) && (e & 0x80) && (wide || (cr4 & CR4_PSE)));
		if (leaf) {
			if ((user && !us) || (write && !rw && (user || (cr0 & CR0_WP))))
				return fault(pf, true, write, user);
			uint64_t mask = (1ull << shift) - 1;
			uint64_t base = wide ? e & 0x000ffffffffff000ull & ~mask : e & 0xfffff000ull & ~mask;
			if (!wide && shift == 22)
				base |= ((e >> 13) & 0xff) << 32; /* PSE-36 */
			*gpa = base | (la & mask);
			return 0;
		}
		table = wide ? e & 0x000ffffffffff000ull : e & 0xfffff000ull;
		shift -= (l == 0 && levels == 3) ? 9 : wide ? 9 : 10;
	}
	return fault(pf, false, write, user);
}

int vmm_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t len)
{
	uint8_t *b = buf;
	while (len) {
		size_t n = (size_t)ENV_MIN((uint64_t)len, 4096 - (la & 4095));
		uint64_t gpa;
		uint32_t pf;
		if (vmm_linear_to_gpa(v, la, false, &gpa, &pf) || vm_read(v->vm, gpa, b, n))
			return -EFAULT;
		b += n;
		la += n;
		len -= n;
	}
	return 0;
}

/* Copy between Ditto and the guest's linear address space, page by page,
 * with the permissions of the guest's current privilege level (a user-mode
 * caller can reach only user pages). check_only: translate, copy nothing. */
static int linear_copy(struct vcpu *v, uint64_t la, void *buf, size_t len, bool to_guest, bool check_only)
{
	uint8_t *b = buf;
	while (len) {
		size_t n = (size_t)ENV_MIN((uint64_t)len, 4096 - (la & 4095));
		uint64_t gpa;
		uint32_t pf;
		if (vmm_linear_to_gpa(v, la, to_guest, &gpa, &pf))
			return -EFAULT;
		if (gpa >= v->vm->mem_size || n > v->vm->mem_size - gpa)
			return -EFAULT;
		if (!check_only && (to_guest ? vm_write(v->vm, gpa, b, n) : vm_read(v->vm, gpa, b, n)))
			return -EFAULT;
		b += n;
		la += n;
		len -= n;
	}
	return 0;
}

int vmm_copy_from_guest(struct vcpu *v, uint64_t la, void *buf, size_t len)
{
	return linear_copy(v, la, buf, len, false, false);
}

int vmm_copy_to_guest(struct vcpu *v, uint64_t la, const void *buf, size_t len)
{
	return linear_copy(v, la, (void *)buf, len, true, false);
}

int vmm_check_guest_writable(struct vcpu *v, uint64_t la, size_t len)
{
	return linear_copy(v, la, NULL, len, true, true);
}
