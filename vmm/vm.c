/* VM objects: RAM in 2 MiB chunks, device tables, stop. */
#include <errno.h>
#include <stdarg.h>
#include "ditto/fmt.h"
#include "vmm/vm.h"

static unsigned next_vm_id = 1;

struct vm *vm_create(const char *name, uint64_t mem_size, unsigned nvcpus)
{
	if (!mem_size || mem_size % VM_CHUNK || nvcpus == 0 || nvcpus > VM_MAX_VCPUS)
		return NULL;
	struct vm *vm = env_zalloc(sizeof(*vm));
	if (!vm)
		return NULL;
	vm->id = next_vm_id++;
	fmt_snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->mem_size = mem_size;
	vm->nchunks = (size_t)(mem_size / VM_CHUNK);
	vm->chunks = env_zalloc(vm->nchunks * sizeof(uint64_t));
	if (!vm->chunks)
		goto fail;
	for (size_t i = 0; i < vm->nchunks; i++) {
		void *c = env_alloc_pages_aligned(VM_CHUNK / ENV_PAGE_SIZE, VM_CHUNK / ENV_PAGE_SIZE);
		if (!c)
			goto fail;
		memset(c, 0, VM_CHUNK);
		vm->chunks[i] = env_virt_to_phys(c);
	}
	vm->nvcpus = nvcpus;
	vm->next_event_ns = ~0ull;
	vm->started_ns = env_now_ns();
	for (unsigned i = 0; i < nvcpus; i++) {
		struct vcpu *v = env_zalloc(sizeof(*v));
		if (!v)
			goto fail;
		v->vm = vm;
		v->id = i;
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI; /* APs wait for INIT-SIPI */
		v->running_on = -1;
		vm->vcpus[i] = v;
	}
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			env_free(vm->vcpus[i]->hc_scratch);
		env_free(vm->vcpus[i]);
	}
	if (vm->chunks)
		for (size_t i = 0; i < vm->nchunks; i++)
			if (vm->chunks[i])
				env_free_pages(env_phys_to_virt(vm->chunks[i]), VM_CHUNK / ENV_PAGE_SIZE);
	env_free(vm->chunks);
	env_free(vm);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	if (vm->stopped)
		return;
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->stopped = true;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		vm->vcpus[i]->state = VCPU_STOPPED;
		vcpu_notify(vm->vcpus[i]); /* running elsewhere: make it exit now */
	}
	env_printf("vm %s: stopped: %s\n", vm->name, vm->stop_reason);
}

struct vmm_sched_hooks vmm_sched_hooks;

void vcpu_make_runnable(struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE || v->state == VCPU_STOPPED)
		return;
	v->state = VCPU_RUNNABLE;
	if (vmm_sched_hooks.wake)
		vmm_sched_hooks.wake(v);
}

void vcpu_notify(struct vcpu *v)
{
	if (vmm_sched_hooks.notify)
		vmm_sched_hooks.notify(v);
}

void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, size_t len)
{
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	uint64_t off = gpa % VM_CHUNK;
	if (off + len > VM_CHUNK)
		return NULL;
	return (uint8_t *)env_phys_to_virt(vm->chunks[gpa / VM_CHUNK]) + off;
}

static int vm_copy(struct vm *vm, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return -EFAULT;
	uint8_t *b = buf;
	while (len) {
		size_t n = (size_t)ENV_MIN((uint64_t)len, VM_CHUNK - gpa % VM_CHUNK);
		uint8_t *p = vm_gpa_ptr(vm, gpa, n);
		if (to_guest)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		b += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int vm_read(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
	return vm_copy(vm, gpa, buf, len, false);
}

int vm_write(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	return vm_copy(vm, gpa, (void *)buf, len, true);
}

int vm_add_mmio(struct vm *vm, const struct mmio_region *r)
{
	if (vm->nmmio == VM_MAX_MMIO || !r->size || r->base + r->size < r->base)
		return -ENOSPC;
	for (size_t i = 0; i < vm->nmmio; i++)
		if (r->base < vm->mmio[i].base + vm->mmio[i].size && vm->mmio[i].base < r->base + r->size)
			return -EEXIST;
	vm->mmio[vm->nmmio++] = *r;
	return 0;
}

int vm_add_pio(struct vm *vm, const struct pio_region *r)
{
	if (vm->npio == VM_MAX_PIO || !r->count || (uint32_t)r->base + r->count > 0x10000)
		return -ENOSPC;
	vm->pio[vm->npio++] = *r;
	return 0;
}

struct mmio_region *vm_find_mmio(struct vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->nmmio; i++)
		if (gpa >= vm->mmio[i].base && gpa - vm->mmio[i].base < vm->mmio[i].size)
			return &vm->mmio[i];
	return NULL;
}

struct pio_region *vm_find_pio(struct vm *vm, uint16_t port)
{
	for (size_t i = 0; i < vm->npio; i++)
		if (port >= vm->pio[i].base && port - vm->pio[i].base < vm->pio[i].count)
			return &vm->pio[i];
	return NULL;
}
