/*
 * Robustness of the whole board against an arbitrary guest: a deterministic
 * pseudo-random stream of port, MMIO and MSR accesses (any width, any value,
 * any offset), time steps, ticks, injections and console traffic, run under
 * ASan/UBSan. The checks: nothing crashes or trips a sanitizer, every return
 * code is one the seam allows, deadlines are never in the past, and the
 * console ring never exceeds its bound.
 */
#include "check.h"
#include "vmm/dev/board.h"

static uint64_t now, rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t clock_fn(void *ctx)
{
	return now;
}

static unsigned lines;
static void console(void *ctx, const char *s, size_t n)
{
	lines++;
}

static const uint16_t ports[] = {
	0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64,
	0x70, 0x71, 0x92, 0xf4, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
	0x510, 0x511, 0x600, 0x602, 0x604, 0x608, 0x609, 0xcf8, 0xcf9, 0xcfc, 0xcfd,
	0xcfe, 0xcff, 0x80, 0x2f8,
};

static struct board B;

static bool rc_ok(int rc)
{
	return rc == 0 || rc == -EINVAL || rc == -ENOENT;
}

static void run(uint64_t seed, unsigned ops)
{
	struct board_config c = {
		.ncpus = 3, .ram_below_4g = 64u << 20, .epoch_sec = 1700000000,
		.tsc_hz = 2000000000, .lapic_timer_hz = 100000000,
		.console = console, .clock = { clock_fn, NULL },
	};
	uint32_t v;
	uint64_t q;
	uint8_t sv;

	rng = seed;
	now = 0;
	CHECK_EQ(board_init(&B, &c), 0);
	for (unsigned i = 0; i < ops; i++) {
		uint64_t r = next();
		unsigned size = (unsigned[]){ 1, 2, 4, 3, 1, 1, 8, 4 }[r & 7];
		unsigned vcpu = (unsigned)((r >> 3) % 4); /* 3 = out of range */
		bool write = r & (1u << 5);
		v = (uint32_t)next();
		switch ((r >> 8) % 10) {
		case 0: case 1: case 2: {
			uint16_t port = (r >> 16) & 1 ? ports[(r >> 20) % ENV_ARRAY_SIZE(ports)]
						    : (uint16_t)(r >> 24);
			CHECK(rc_ok(board_pio(&B, port, size, write, &v)));
			break;
		}
		case 3: {
			uint64_t gpa = ((r >> 16) & 1 ? 0xfec00000ull : 0xfee00000ull) +
				       ((r >> 20) & 0xfff);
			CHECK(rc_ok(board_mmio(&B, vcpu, gpa, size, write, &v)));
			break;
		}
		case 4: {
			uint32_t msr = (r >> 16) & 1 ? 0x800 + (uint32_t)((r >> 20) & 0xff)
						     : (uint32_t[]){ 0x1b, 0x6e0, 0x10, 0x900 }[(r >> 20) & 3];
			q = next();
			if ((r >> 28) & 1)
				q &= 0xffffffffu; /* mostly plausible values too */
			if (write)
				CHECK(rc_ok(board_wrmsr(&B, vcpu, msr, q)));
			else
				CHECK(rc_ok(board_rdmsr(&B, vcpu, msr, &q)));
			break;
		}
		case 5:
			now += next() % 3000000; /* up to 3 ms */
			board_tick(&B);
			q = board_next_event_ns(&B);
			CHECK(q == VDEV_NEVER || q > now); /* a tick leaves nothing overdue */
			break;
		case 6:
			if (board_pending_vector(&B, vcpu % 3) >= 0)
				CHECK(board_ack(&B, vcpu % 3) >= 0);
			board_take_nmi(&B, vcpu);
			board_take_events(&B, vcpu, &sv);
			if ((r >> 16) & 1)
				board_vcpu_init(&B, vcpu);
			break;
		case 7: {
			uint8_t in[8];
			for (unsigned k = 0; k < 8; k++)
				in[k] = (uint8_t)next();
			CHECK(board_console_input(&B, in, (r >> 16) % 9) <= 8);
			board_flush_console(&B, (unsigned)((r >> 20) % 4));
			break;
		}
		case 8:
			board_take_requests(&B, &v);
			if (((r >> 16) & 0xff) == 0)
				board_power_button(&B);
			break;
		default: /* flood the UART */
			for (unsigned k = 0; k < 64; k++) {
				v = (uint32_t)next();
				board_pio(&B, 0x3f8, 1, true, &v);
			}
			break;
		}
		CHECK(B.com1.out_count <= VUART_OUT_SIZE);
	}
}

TEST(fuzz_board_seed1)
{
	run(0x1234567887654321ull, 200000);
}

TEST(fuzz_board_seed2)
{
	run(0xdeadbeefcafef00dull, 200000);
}
