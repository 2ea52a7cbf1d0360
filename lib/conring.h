#ifndef LIB_CONRING_H
#define LIB_CONRING_H
/*
 * The console's output ring (lib/console.c): bytes queued by printers, sent
 * to a transmitter that takes a burst at a time. Host-testable (no locking:
 * the caller holds the console lock for put/feed; pending() is a lock-free
 * read). Nothing is dropped: a full ring waits for the transmitter.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conring_sink {
	/* Bytes tx may take now; with wait, waits (bounded) and is never 0. */
	unsigned (*room)(bool wait);
	void (*tx)(uint8_t c);
};

struct conring {
	char *buf;
	size_t size;        /* bytes of buf */
	uint64_t in, out;   /* bytes ever queued / sent */
	uint64_t full_waits; /* times a put found the ring full */
	const struct conring_sink *sink;
};

void conring_init(struct conring *r, char *buf, size_t size, const struct conring_sink *sink);
/* Queue c; a full ring first sends (waiting) until there is room. */
void conring_put(struct conring *r, char c);
/* Send what the sink takes (wait: at least one burst); returns bytes sent. */
size_t conring_feed(struct conring *r, bool wait);
/* Send everything, waiting. */
void conring_flush(struct conring *r);
bool conring_pending(const struct conring *r);
#endif
