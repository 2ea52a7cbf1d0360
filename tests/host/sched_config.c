/* sched_check_config: each bad configuration with its exact message. */
#include "check.h"
#include "vmm/sched/sched.h"

static char got[8][160];
static int got_vm[8], ngot;
static enum sched_cfg_field got_field[8];

static void collect(void *ctx, int vm, enum sched_cfg_field f, const char *msg)
{
	(void)ctx;
	if (ngot < 8) {
		snprintf(got[ngot], sizeof(got[ngot]), "%s", msg);
		got_vm[ngot] = vm;
		got_field[ngot] = f;
	}
	ngot++;
}

static int check(unsigned ncpus, const struct sched_vm_config *vms, size_t n)
{
	ngot = 0;
	return sched_check_config(ncpus, vms, n, collect, NULL);
}

TEST(good_config_passes)
{
	sched_mask_t pin[2] = { 0x1, 0x6 };
	struct sched_vm_config vms[] = {
		{ .weight = 256, .nvcpus = 2, .affinity = pin, .cap_pct = 150, .reservation_pct = 50 },
		{ .weight = 65535, .nvcpus = 1, .reservation_pct = 100 },
		{ .weight = 1, .nvcpus = 64 },
	};
	CHECK_EQ(check(4, vms, 3), 0);
	CHECK_EQ(ngot, 0);
}

TEST(weight_out_of_range)
{
	struct sched_vm_config vms[] = { { .weight = 0, .nvcpus = 1 }, { .weight = 65536, .nvcpus = 1 } };
	CHECK_EQ(check(2, vms, 2), 2);
	CHECK_STREQ(got[0], "0 is out of range (1..65535)");
	CHECK_EQ(got_vm[0], 0);
	CHECK_EQ(got_field[0], SCHED_CFG_WEIGHT);
	CHECK_STREQ(got[1], "65536 is out of range (1..65535)");
	CHECK_EQ(got_vm[1], 1);
}

TEST(vcpu_count_out_of_range)
{
	struct sched_vm_config vms[] = { { .weight = 1, .nvcpus = 0 }, { .weight = 1, .nvcpus = 65 } };
	CHECK_EQ(check(2, vms, 2), 2);
	CHECK_STREQ(got[0], "0 is out of range (1..64)");
	CHECK_EQ(got_field[0], SCHED_CFG_VCPUS);
	CHECK_STREQ(got[1], "65 is out of range (1..64)");
}

TEST(cap_below_reservation)
{
	struct sched_vm_config vms[] = { { .weight = 256, .nvcpus = 1, .cap_pct = 20, .reservation_pct = 30 } };
	CHECK_EQ(check(2, vms, 1), 1);
	CHECK_STREQ(got[0], "20% is below the reservation of 30%");
	CHECK_EQ(got_field[0], SCHED_CFG_CAP);
}

TEST(cap_or_reservation_above_the_vcpus)
{
	struct sched_vm_config vms[] = {
		{ .weight = 256, .nvcpus = 1, .cap_pct = 150 },
		{ .weight = 256, .nvcpus = 2, .reservation_pct = 250 },
	};
	CHECK_EQ(check(4, vms, 2), 2);
	CHECK_STREQ(got[0], "150% is more than 1 vCPU can use (100%)");
	CHECK_EQ(got_field[0], SCHED_CFG_CAP);
	CHECK_STREQ(got[1], "250% is more than 2 vCPUs can use (200%)");
	CHECK_EQ(got_field[1], SCHED_CFG_RESERVATION);
}

TEST(pinned_to_a_missing_cpu)
{
	sched_mask_t pin[3] = { 0x1, 0x10, 0 };
	struct sched_vm_config vms[] = { { .weight = 256, .nvcpus = 3, .affinity = pin } };
	CHECK_EQ(check(4, vms, 1), 2);
	CHECK_STREQ(got[0], "vCPU 1: CPU 4 does not exist (the host has 4 CPUs)");
	CHECK_EQ(got_field[0], SCHED_CFG_PIN);
	CHECK_STREQ(got[1], "vCPU 2 has an empty affinity (no CPU to run on)");
}

TEST(vm_wide_affinity)
{
	struct sched_vm_config vms[] = { { .weight = 256, .nvcpus = 2, .vm_affinity = 0x30 } };
	/* One error for the VM's mask, not one per vCPU. */
	CHECK_EQ(check(4, vms, 1), 1);
	CHECK_STREQ(got[0], "CPU 4 does not exist (the host has 4 CPUs)");
	CHECK_EQ(got_field[0], SCHED_CFG_PIN);
	vms[0].vm_affinity = 0x3;
	CHECK_EQ(check(4, vms, 1), 0);
}

TEST(one_cpu_host_message)
{
	sched_mask_t pin[1] = { 0x2 };
	struct sched_vm_config vms[] = { { .weight = 256, .nvcpus = 1, .affinity = pin } };
	CHECK_EQ(check(1, vms, 1), 1);
	CHECK_STREQ(got[0], "vCPU 0: CPU 1 does not exist (the host has 1 CPU)");
}

TEST(reservation_beyond_the_pinned_cpus)
{
	sched_mask_t pin[2] = { 0x1, 0x1 };
	struct sched_vm_config vms[] = { { .weight = 256, .nvcpus = 2, .affinity = pin, .reservation_pct = 120 } };
	CHECK_EQ(check(4, vms, 1), 1);
	CHECK_STREQ(got[0], "120% needs more than the 1 CPU its vCPUs are pinned to");
	CHECK_EQ(got_field[0], SCHED_CFG_RESERVATION);
	/* The same through a VM-wide mask (the manifest's pin list). */
	struct sched_vm_config wide[] = { { .weight = 256, .nvcpus = 2, .vm_affinity = 0x4, .reservation_pct = 120 } };
	CHECK_EQ(check(4, wide, 1), 1);
	CHECK_STREQ(got[0], "120% needs more than the 1 CPU its vCPUs are pinned to");
	wide[0].vm_affinity = 0x6;
	CHECK_EQ(check(4, wide, 1), 0);
}

TEST(reservations_over_the_host)
{
	struct sched_vm_config vms[] = {
		{ .weight = 256, .nvcpus = 2, .reservation_pct = 150 },
		{ .weight = 256, .nvcpus = 1, .reservation_pct = 60 },
		{ .weight = 256, .nvcpus = 1, .reservation_pct = 10 },
	};
	/* Reported once, at the VM whose reservation goes over. */
	CHECK_EQ(check(2, vms, 3), 1);
	CHECK_STREQ(got[0], "reservations add up to 210%, more than the host's 200%");
	CHECK_EQ(got_vm[0], 1);
	CHECK_EQ(got_field[0], SCHED_CFG_RESERVATION);
	/* Exactly 100% per CPU is allowed. */
	vms[1].reservation_pct = 40;
	CHECK_EQ(check(2, vms, 3), 0);
}

TEST(unknown_host_skips_what_needs_it)
{
	struct sched_vm_config vms[] = {
		{ .weight = 256, .nvcpus = 2, .reservation_pct = 200, .vm_affinity = 1ull << 63 },
		{ .weight = 256, .nvcpus = 2, .reservation_pct = 200, .cap_pct = 100 },
	};
	/* ncpus 0: no totals, no pin check; the per-VM rules still hold. */
	CHECK_EQ(check(0, vms, 2), 1);
	CHECK_STREQ(got[0], "100% is below the reservation of 200%");
	CHECK_EQ(got_vm[0], 1);
}

TEST(bad_host_cpu_count)
{
	CHECK_EQ(check(65, NULL, 0), 1);
	CHECK_STREQ(got[0], "the host has 65 CPUs: the scheduler takes 1..64");
	CHECK_EQ(got_vm[0], -1);
	CHECK_EQ(got_field[0], SCHED_CFG_HOST);
}

TEST(several_errors_in_one_vm)
{
	struct sched_vm_config vms[] = { { .weight = 0, .nvcpus = 1, .cap_pct = 10, .reservation_pct = 20 } };
	CHECK_EQ(check(1, vms, 1), 2);
	CHECK_STREQ(got[0], "0 is out of range (1..65535)");
	CHECK_STREQ(got[1], "10% is below the reservation of 20%");
}

TEST(add_vm_refuses_what_the_check_refuses)
{
	struct sched_vm_params good = { .weight = 256, .nvcpus = 2, .cap_pct = 150, .reservation_pct = 50 };
	struct sched_vm_params p = good;
	CHECK(sched_vm_params_valid(&p));
	p.cap_pct = 201;
	CHECK(!sched_vm_params_valid(&p));
	p = good;
	p.cap_pct = 40;
	CHECK(!sched_vm_params_valid(&p));
	p = good;
	p.weight = 0;
	CHECK(!sched_vm_params_valid(&p));
	p = good;
	p.nvcpus = 65;
	CHECK(!sched_vm_params_valid(&p));
}

/* The expected shares the consolidation test compares against. */
TEST(water_fill_by_weight_with_caps_and_small_demands)
{
	/* 2 CPUs (2e6 ppm): weights 1:2:4 CPU-bound, a capped VM of weight 4
	 * (demand 50%), an idle VM wanting 0.2%. */
	unsigned w[] = { 100, 200, 400, 400, 256 };
	uint64_t d[] = { 1000000, 1000000, 1000000, 500000, 2000 };
	uint64_t out[5];
	sched_water_fill(5, w, d, 2000000, out);
	CHECK_EQ(out[4], 2000);
	CHECK_EQ(out[3], 500000);
	/* 1,498,000 left for weights 100:200:400. */
	CHECK_EQ(out[0], 214000);
	CHECK_EQ(out[1], 428000);
	CHECK_EQ(out[2], 856000);
}

TEST(water_fill_one_vcpu_ceiling_passes_the_rest_on)
{
	/* A heavy VM cannot use more than its one vCPU: the rest is shared. */
	unsigned w[] = { 100, 900 };
	uint64_t d[] = { 1000000, 1000000 };
	uint64_t out[2];
	sched_water_fill(2, w, d, 2000000, out);
	CHECK_EQ(out[0], 1000000);
	CHECK_EQ(out[1], 1000000);
	uint64_t d2[] = { 2000000, 1000000 };
	sched_water_fill(2, w, d2, 1500000, out);
	CHECK_EQ(out[1], 1000000);
	CHECK_EQ(out[0], 500000);
}

TEST(water_fill_zero_weight_or_demand_gets_nothing)
{
	unsigned w[] = { 0, 256, 256 };
	uint64_t d[] = { 1000000, 0, 1000000 };
	uint64_t out[3];
	sched_water_fill(3, w, d, 1000000, out);
	CHECK_EQ(out[0], 0);
	CHECK_EQ(out[1], 0);
	CHECK_EQ(out[2], 1000000);
}
