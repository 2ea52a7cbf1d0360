/* The console's output ring against a model UART with a 16-byte FIFO. */
#include "check.h"
#include "lib/conring.h"

/* The model wire: `fifo_free` bytes fit now; a wait lets the FIFO empty. */
static unsigned fifo_free;
static unsigned waits;
static uint8_t wire[1 << 16];
static size_t nwire;

static unsigned model_room(bool wait)
{
	if (wait && !fifo_free) {
		waits++;
		fifo_free = 16;
	}
	return fifo_free;
}

static void model_tx(uint8_t c)
{
	CHECK(fifo_free > 0); /* never more than the FIFO takes */
	fifo_free--;
	if (nwire < sizeof(wire))
		wire[nwire++] = c;
}

static const struct conring_sink sink = { model_room, model_tx };

static void reset(struct conring *r, char *buf, size_t size)
{
	fifo_free = 16;
	waits = 0;
	nwire = 0;
	conring_init(r, buf, size, &sink);
}

TEST(feed_sends_only_what_the_fifo_takes)
{
	char buf[64];
	struct conring r;
	reset(&r, buf, sizeof(buf));
	for (int i = 0; i < 40; i++)
		conring_put(&r, (char)('a' + i % 26));
	CHECK(conring_pending(&r));
	CHECK_EQ(conring_feed(&r, false), 16);
	CHECK_EQ(conring_feed(&r, false), 0); /* the FIFO is full: no wait */
	CHECK_EQ(waits, 0);
	fifo_free = 16; /* the wire took them */
	CHECK_EQ(conring_feed(&r, false), 16);
	fifo_free = 16;
	CHECK_EQ(conring_feed(&r, false), 8);
	CHECK(!conring_pending(&r));
	CHECK_EQ(nwire, 40);
	for (int i = 0; i < 40; i++)
		CHECK_EQ(wire[i], (uint8_t)('a' + i % 26));
}

TEST(full_ring_waits_and_drops_nothing)
{
	char buf[32];
	struct conring r;
	reset(&r, buf, sizeof(buf));
	fifo_free = 0;
	/* 1000 bytes through a 32-byte ring: every byte arrives, in order. */
	for (int i = 0; i < 1000; i++)
		conring_put(&r, (char)(i * 7));
	CHECK(r.full_waits > 0);
	CHECK(waits > 0);
	conring_flush(&r);
	CHECK(!conring_pending(&r));
	CHECK_EQ(nwire, 1000);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(wire[i], (uint8_t)(i * 7));
}

TEST(wraps_around_many_times)
{
	char buf[16];
	struct conring r;
	reset(&r, buf, sizeof(buf));
	size_t sent = 0;
	for (int i = 0; i < 5000; i++) {
		conring_put(&r, (char)i);
		if (i % 5 == 0) {
			fifo_free = 3;
			sent += conring_feed(&r, false);
		}
	}
	conring_flush(&r);
	CHECK_EQ(nwire, 5000);
	CHECK(sent > 0);
	for (int i = 0; i < 5000; i++)
		CHECK_EQ(wire[i], (uint8_t)i);
}

TEST(empty_ring_never_touches_the_uart)
{
	char buf[16];
	struct conring r;
	reset(&r, buf, sizeof(buf));
	fifo_free = 0;
	CHECK_EQ(conring_feed(&r, true), 0);
	conring_flush(&r);
	CHECK_EQ(waits, 0);
	CHECK(!conring_pending(&r));
}
