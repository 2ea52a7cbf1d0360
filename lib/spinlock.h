/* Ticket-free test-and-test-and-set spinlock; interrupts are the caller's business. */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H
#include <stdbool.h>

struct spinlock {
	volatile int locked;
};
#define SPINLOCK_INIT { 0 }

/* A lock held this long is a deadlock (a broken invariant): it panics. */
#define SPIN_DEADLOCK_LIMIT (1ull << 32)
_Noreturn void spin_deadlock(struct spinlock *l);

static inline void spin_lock(struct spinlock *l)
{
	unsigned long long spins = 0;
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			__builtin_ia32_pause();
			if (++spins == SPIN_DEADLOCK_LIMIT)
				spin_deadlock(l);
		}
}

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#endif
