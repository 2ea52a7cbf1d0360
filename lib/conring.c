/* The console's output ring (lib/conring.h). */
#include "lib/conring.h"

void conring_init(struct conring *r, char *buf, size_t size, const struct conring_sink *sink)
{
	r->buf = buf;
	r->size = size;
	r->in = r->out = 0;
	r->full_waits = 0;
	r->sink = sink;
}

bool conring_pending(const struct conring *r)
{
	return __atomic_load_n(&r->out, __ATOMIC_RELAXED) != __atomic_load_n(&r->in, __ATOMIC_RELAXED);
}

size_t conring_feed(struct conring *r, bool wait)
{
	uint64_t in = r->in, out = r->out;
	if (out == in)
		return 0;
	for (unsigned room = r->sink->room(wait); room && out != in; room--)
		r->sink->tx((uint8_t)r->buf[out++ % r->size]);
	size_t sent = (size_t)(out - r->out);
	__atomic_store_n(&r->out, out, __ATOMIC_RELAXED);
	return sent;
}

void conring_put(struct conring *r, char c)
{
	if (r->in - r->out >= r->size) {
		r->full_waits++;
		while (r->in - r->out >= r->size)
			conring_feed(r, true);
	}
	r->buf[r->in % r->size] = c;
	__atomic_store_n(&r->in, r->in + 1, __ATOMIC_RELAXED);
}

void conring_flush(struct conring *r)
{
	while (r->out != r->in)
		conring_feed(r, true);
}
