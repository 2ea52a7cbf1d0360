#include "check.h"
#include "vmm/console.h"

static unsigned feed(struct console_switch *c, const char *s, uint8_t *got, bool *sw)
{
	unsigned n = 0;
	*sw = false;
	for (; *s; s++) {
		bool w;
		n += console_switch_feed(c, (uint8_t)*s, got + n, &w);
		*sw |= w;
	}
	return n;
}

TEST(plain_keys_go_to_the_first_vm)
{
	struct console_switch c;
	uint8_t got[16];
	bool sw;
	console_switch_init(&c, 2);
	CHECK_EQ(feed(&c, "ls\r", got, &sw), 3);
	CHECK(!sw);
	CHECK_EQ(c.target, 0);
	CHECK(!memcmp(got, "ls\r", 3));
}

TEST(three_ctrl_a_cycle_vms_then_ditto)
{
	struct console_switch c;
	uint8_t got[16];
	bool sw;
	console_switch_init(&c, 2);
	CHECK_EQ(feed(&c, "\x01\x01\x01", got, &sw), 0);
	CHECK(sw);
	CHECK_EQ(c.target, 1);
	feed(&c, "\x01\x01\x01", got, &sw);
	CHECK_EQ(c.target, CONSOLE_TO_DITTO);
	feed(&c, "\x01\x01\x01", got, &sw);
	CHECK_EQ(c.target, 0);
}

TEST(fewer_than_three_are_delivered)
{
	struct console_switch c;
	uint8_t got[16];
	bool sw;
	console_switch_init(&c, 1);
	CHECK_EQ(feed(&c, "\x01\x01x", got, &sw), 3);
	CHECK(!sw);
	CHECK(!memcmp(got, "\x01\x01x", 3));
	CHECK_EQ(c.target, 0);
}

TEST(no_vms_means_ditto)
{
	struct console_switch c;
	uint8_t got[4];
	bool sw;
	console_switch_init(&c, 0);
	CHECK_EQ(c.target, CONSOLE_TO_DITTO);
	feed(&c, "\x01\x01\x01", got, &sw);
	CHECK_EQ(c.target, CONSOLE_TO_DITTO);
}
