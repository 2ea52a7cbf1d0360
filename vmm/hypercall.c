/*
 * Hypercalls (docs/hypercalls.md, guest-tools/include/ditto/hypercall.h).
 * Decode, then invoke (after seL4): decode reads and checks every argument
 * and the caller's privilege and is the only part that can fail; invoke
 * acts on checked values and cannot fail.
 */
#include <errno.h>
#include "ditto/fmt.h"
#include "ditto/hypercall.h"
#include "vmm/vmm.h"

struct hc_args {
	uint64_t a[4];      /* RBX, RCX, RDX, RSI */
	char buf[4096 + 1]; /* copied-in guest data */
	size_t len;
};

struct hc_ops {
	bool user_ok; /* callable from CPL 3 */
	int (*decode)(struct vcpu *v, struct hc_args *h);
	int64_t (*invoke)(struct vcpu *v, struct hc_args *h);
};

/* Buffers are the caller's linear (virtual) addresses: what a guest, even a
 * user-mode program, can name. */
static int copy_in(struct vcpu *v, uint64_t la, uint64_t len, size_t max, struct hc_args *h)
{
	if (len > max)
		return -EINVAL;
	if (vmm_copy_from_guest(v, la, h->buf, (size_t)len))
		return -EFAULT;
	h->buf[len] = 0;
	h->len = (size_t)len;
	return 0;
}

static int dec_none(struct vcpu *v, struct hc_args *h) { return 0; }

static int64_t inv_version(struct vcpu *v, struct hc_args *h) { return DITTO_ABI_VERSION; }

static int dec_console(struct vcpu *v, struct hc_args *h)
{
	return copy_in(v, h->a[0], h->a[1], 4096, h);
}

static int64_t inv_console(struct vcpu *v, struct hc_args *h)
{
	/* Line-prefixed with the VM's name; control characters shown as '.'. */
	for (size_t i = 0; i < h->len; i++)
		if ((unsigned char)h->buf[i] < 0x20 && h->buf[i] != '\n')
			h->buf[i] = '.';
	char *s = h->buf;
	while (*s) {
		char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		env_printf("%s: %.*s\n", v->vm->name, (int)n, s);
		s += n + (nl ? 1 : 0);
	}
	return (int64_t)h->len;
}

/* Output buffers: checked to lie wholly in guest RAM at decode. */
static int dec_outbuf(struct vcpu *v, struct hc_args *h)
{
	if (h->a[1] > sizeof(h->buf))
		return -EINVAL;
	if (h->a[1] && vmm_check_guest_writable(v, h->a[0], (size_t)h->a[1]))
		return -EFAULT;
	return 0;
}

static int64_t inv_vm_info(struct vcpu *v, struct hc_args *h)
{
	struct ditto_vm_info info;
	memset(&info, 0, sizeof(info));
	info.vm_id = v->vm->id;
	info.vcpus = v->vm->nvcpus;
	info.memory_bytes = v->vm->mem_size;
	fmt_snprintf(info.name, sizeof(info.name), "%s", v->vm->name);
	size_t n = (size_t)ENV_MIN(h->a[1], (uint64_t)sizeof(info));
	vmm_copy_to_guest(v, h->a[0], &info, n); /* checked writable in decode */
	return (int64_t)n;
}

static int64_t inv_vcpu_stats(struct vcpu *v, struct hc_args *h)
{
	struct ditto_vcpu_stats st;
	memset(&st, 0, sizeof(st));
	st.exits_total = v->stats.exits;
	for (int i = 0; i < 70 && i < VCPU_EXIT_REASONS; i++)
		st.exits_by_reason[i] = v->stats.exits_by_reason[i];
	st.tsc_in_guest = v->stats.tsc_in_guest;
	st.tsc_in_handlers = v->stats.tsc_in_handlers;
	size_t n = (size_t)ENV_MIN(h->a[1], (uint64_t)sizeof(st));
	vmm_copy_to_guest(v, h->a[0], &st, n);
	return (int64_t)n;
}

static void add_sched(struct ditto_sched_vcpu *d, const struct sched_stats *st, uint64_t exits)
{
	d->run_ns += st->run_ns;
	d->wait_ns += st->wait_ns;
	d->halt_ns += st->halt_ns;
	d->migrations += st->migrations;
	d->scheduled += st->scheduled;
	d->wakeups += st->wakeups;
	d->exits += exits;
}

static int64_t inv_sched_stats(struct vcpu *v, struct hc_args *h)
{
	struct vm *vm = v->vm;
	struct ditto_sched_stats st;
	uint64_t now = env_now_ns();
	memset(&st, 0, sizeof(st));
	st.elapsed_ns = now - vm->started_ns;
	st.weight = vm->sv.p.weight;
	st.cap_pct = vm->sv.p.cap_pct;
	st.reservation_pct = vm->sv.p.reservation_pct;
	st.vcpus = vm->nvcpus;
	st.host_cpus = vm->host_cpus;
	for (unsigned i = 0; i < vm->nvcpus && i < DITTO_SCHED_MAX_VCPUS; i++) {
		struct vcpu *c = vm->vcpus[i];
		struct sched_stats ss;
		sched_vcpu_stats(&c->sv, now, &ss);
		add_sched(&st.vcpu[i], &ss, c->stats.exits);
		add_sched(&st.total, &ss, c->stats.exits);
		st.vcpu[i].cpu = c->sv.cpu;
		st.vcpu[i].state = (unsigned)c->sv.state;
	}
	size_t n = (size_t)ENV_MIN(h->a[1], (uint64_t)sizeof(st));
	vmm_copy_to_guest(v, h->a[0], &st, n);
	return (int64_t)n;
}

static int dec_test_case(struct vcpu *v, struct hc_args *h)
{
	int r = copy_in(v, h->a[0], h->a[1], 64, h);
	if (r)
		return r;
	for (size_t i = 0; i < h->len; i++)
		if (!((h->buf[i] >= 'a' && h->buf[i] <= 'z') || (h->buf[i] >= '0' && h->buf[i] <= '9') ||
		      h->buf[i] == '_' || h->buf[i] == '-' || h->buf[i] == '.'))
			return -EINVAL;
	return h->len ? 0 : -EINVAL;
}

static int64_t inv_test_case(struct vcpu *v, struct hc_args *h)
{
	bool ok = h->a[2] != 0;
	v->vm->ctr.test_cases++;
	if (!ok)
		v->vm->ctr.test_failures++;
	env_printf("DITTO-CASE: %s %s.%s\n", ok ? "ok" : "not ok", v->vm->name, h->buf);
	return 0;
}

static int64_t inv_test_done(struct vcpu *v, struct hc_args *h)
{
	v->vm->test_passed = h->a[0] != 0 && v->vm->ctr.test_failures == 0;
	vm_stop(v->vm, "test finished: %s (%llu cases, %llu failed)",
		v->vm->test_passed ? "pass" : "FAIL", (unsigned long long)v->vm->ctr.test_cases,
		(unsigned long long)v->vm->ctr.test_failures);
	return 0;
}

static int dec_test_inject(struct vcpu *v, struct hc_args *h)
{
	uint64_t vec = h->a[0], type = h->a[1];
	if (vec > 255 || (type != HC_TYPE_EXTINT && type != HC_TYPE_EXCEPTION))
		return -EINVAL;
	if (type == HC_TYPE_EXTINT && vec < 32)
		return -EINVAL;
	if (type == HC_TYPE_EXCEPTION && (vec >= 32 || vec == 2))
		return -EINVAL;
	if (h->a[3] > 10000000) /* delay at most 10 s */
		return -EINVAL;
	return 0;
}

static int64_t inv_test_inject(struct vcpu *v, struct hc_args *h)
{
	if (h->a[3]) {
		v->test_vector = (uint8_t)h->a[0];
		v->wake_at_ns = env_now_ns() + h->a[3] * 1000;
		return 0;
	}
	v->event = (struct vcpu_event){ .valid = true, .vector = (uint8_t)h->a[0],
					.type = (uint8_t)h->a[1],
					.has_error = (uint32_t)h->a[2] != 0xffffffffu,
					.error = (uint32_t)h->a[2] };
	return 0;
}

static int dec_test_unmap(struct vcpu *v, struct hc_args *h)
{
	return h->a[0] < v->vm->mem_size ? 0 : -EINVAL;
}

static int64_t inv_test_unmap(struct vcpu *v, struct hc_args *h)
{
	return be_unmap_gpa(v->vm, h->a[0] & ~0xfffull);
}

static int dec_test_alias(struct vcpu *v, struct hc_args *h)
{
	return h->a[0] < v->vm->mem_size && h->a[1] < v->vm->mem_size ? 0 : -EINVAL;
}

/* A test of EPT coherence (tests/emu/sched-ept.test): a remap another CPU
 * must not miss. Returns how many other CPUs invalidated. */
static int64_t inv_test_alias(struct vcpu *v, struct hc_args *h)
{
	return be_alias_gpa(v->vm, h->a[0] & ~0xfffull, h->a[1] & ~0xfffull);
}

static const struct hc_ops hcs[HC_MAX] = {
	[HC_VERSION] = { true, dec_none, inv_version },
	[HC_CONSOLE_WRITE] = { false, dec_console, inv_console },
	[HC_VM_INFO] = { true, dec_outbuf, inv_vm_info },
	[HC_VCPU_STATS] = { true, dec_outbuf, inv_vcpu_stats },
	[HC_TEST_CASE] = { false, dec_test_case, inv_test_case },
	[HC_TEST_DONE] = { false, dec_none, inv_test_done },
	[HC_TEST_INJECT] = { false, dec_test_inject, inv_test_inject },
	[HC_TEST_UNMAP] = { false, dec_test_unmap, inv_test_unmap },
	[HC_SCHED_STATS] = { true, dec_outbuf, inv_sched_stats },
	[HC_TEST_EPT_ALIAS] = { false, dec_test_alias, inv_test_alias },
};

enum vmm_action vmm_hypercall(struct vcpu *v)
{
	/* Per vCPU: vCPUs of different VMs run on different CPUs at once. */
	if (!v->hc_scratch)
		v->hc_scratch = env_alloc(sizeof(struct hc_args));
	struct hc_args *hp = v->hc_scratch;
	bool wide = vcpu_long_mode(v);
	uint64_t mask = wide ? ~0ull : 0xffffffffull;
	uint64_t nr = vcpu_gpr(v, RAX) & mask;
	int64_t ret;
	vcpu_skip_instruction(v);
	if (!hp) {
		ret = -ENOMEM;
	} else if (nr >= HC_MAX || !hcs[nr].invoke) {
		ret = -ENOSYS;
	} else if (vcpu_cpl(v) != 0 && !hcs[nr].user_ok) {
		ret = -EPERM;
	} else {
		hp->a[0] = vcpu_gpr(v, RBX) & mask;
		hp->a[1] = vcpu_gpr(v, RCX) & mask;
		hp->a[2] = vcpu_gpr(v, RDX) & mask;
		hp->a[3] = vcpu_gpr(v, RSI) & mask;
		int r = hcs[nr].decode(v, hp);
		ret = r ? r : hcs[nr].invoke(v, hp);
	}
	vcpu_set_gpr(v, RAX, (uint64_t)ret & mask);
	return v->vm->stopped ? VMM_STOP : VMM_RESUME;
}
