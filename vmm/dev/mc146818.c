/*
 * MC146818A RTC. References are to the Motorola MC146818A datasheet:
 * "Address map" (figure 4), "Time, calendar and alarm locations" (table 3,
 * binary/BCD and 12/24-hour formats), "Update cycle" (UIP timing, figure
 * 7), "Interrupts" (periodic, alarm, update-ended; register C), and
 * "Register A/B/C/D". The CMOS memory-size layout follows what QEMU's PC
 * machine stores and SeaBIOS reads (not a datasheet: a de-facto interface).
 *
 * Overview: the clock is `base_sec` at guest time `base_ns` and advances
 * with guest time; the time registers are recomputed on each read. The
 * update cycle of every second ends at a second boundary: UIP is 1 during the
 * 244 us before the update and the 1984 us update itself, then the
 * registers change and UF (and AF on an alarm match) are set. The periodic
 * flag PF is set at every multiple of the rate-select period counted from
 * base_ns. Events are evaluated lazily (on access and on vrtc_tick).
 */
#include "vmm/dev/mc146818.h"

#define REG_SEC 0x00
#define REG_SEC_ALARM 0x01
#define REG_MIN 0x02
#define REG_MIN_ALARM 0x03
#define REG_HOUR 0x04
#define REG_HOUR_ALARM 0x05
#define REG_WDAY 0x06
#define REG_MDAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

#define A_UIP 0x80
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

#define UIP_NS (244000ull + 1984000ull)
#define ALARM_SCAN_MAX 86400u /* at most one day of missed seconds scanned */

/* ---------------------------------------------------------- calendar */

/* Days since 1970-01-01 of a proleptic Gregorian date (era-based). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct civil {
	unsigned year, month, mday, wday, hour, min, sec;
};

static void civil_from_secs(uint64_t s, struct civil *c)
{
	uint64_t z = s / 86400 + 719468, rem = s % 86400;
	uint64_t era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;

	c->mday = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (unsigned)(yoe + era * 400 + (c->month <= 2));
	c->wday = (unsigned)((s / 86400 + 4) % 7); /* 1970-01-01 was a Thursday */
	c->hour = (unsigned)(rem / 3600);
	c->min = (unsigned)(rem / 60 % 60);
	c->sec = (unsigned)(rem % 60);
}

/* ---------------------------------------------------------- encoding */

static uint8_t enc(const struct vrtc *r, unsigned v)
{
	return (r->cmos[REG_B] & B_DM_BINARY) ? (uint8_t)v : vdev_bcd(v % 100);
}

static unsigned dec(const struct vrtc *r, uint8_t v)
{
	return (r->cmos[REG_B] & B_DM_BINARY) ? v : vdev_from_bcd(v);
}

static uint8_t enc_hour(const struct vrtc *r, unsigned h)
{
	unsigned h12 = h % 12 ? h % 12 : 12;

	if (r->cmos[REG_B] & B_24H)
		return enc(r, h);
	return (uint8_t)(enc(r, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct vrtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_24H)
		return dec(r, v);
	return dec(r, v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

static bool clock_stopped(const struct vrtc *r)
{
	return r->cmos[REG_B] & B_SET;
}

static uint64_t secs_at(const struct vrtc *r, uint64_t now)
{
	return r->base_sec + (now > r->base_ns ? (now - r->base_ns) / VDEV_NS_PER_SEC : 0);
}

uint64_t vrtc_time(const struct vrtc *r, uint64_t now_ns)
{
	return secs_at(r, now_ns);
}

/* Writes the time registers for Unix time s in the current format. */
static void store_time(struct vrtc *r, uint64_t s)
{
	struct civil c;

	civil_from_secs(s, &c);
	r->cmos[REG_SEC] = enc(r, c.sec);
	r->cmos[REG_MIN] = enc(r, c.min);
	r->cmos[REG_HOUR] = enc_hour(r, c.hour);
	r->cmos[REG_WDAY] = enc(r, c.wday + 1); /* Sunday = 1 */
	r->cmos[REG_MDAY] = enc(r, c.mday);
	r->cmos[REG_MONTH] = enc(r, c.month);
	r->cmos[REG_YEAR] = enc(r, c.year % 100);
	r->cmos[VRTC_CENTURY] = enc(r, c.year / 100);
}

static unsigned clampu(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Unix time of the (guest-written, untrusted) time registers. */
static uint64_t load_time(const struct vrtc *r)
{
	unsigned year = clampu(dec(r, r->cmos[VRTC_CENTURY]), 19, 99) * 100 +
			clampu(dec(r, r->cmos[REG_YEAR]), 0, 99);
	unsigned month = clampu(dec(r, r->cmos[REG_MONTH]), 1, 12);
	unsigned mday = clampu(dec(r, r->cmos[REG_MDAY]), 1, 31);
	int64_t days = days_from_civil(year, month, mday);

	if (days < 0)
		days = 0;
	return (uint64_t)days * 86400 + clampu(dec_hour(r, r->cmos[REG_HOUR]), 0, 23) * 3600 +
	       clampu(dec(r, r->cmos[REG_MIN]), 0, 59) * 60 + clampu(dec(r, r->cmos[REG_SEC]), 0, 59);
}

/* ---------------------------------------------------------- events */

/* Register A RS3-RS0 -> period in 32.768 kHz ticks (table 5); 0 = none. */
static uint64_t periodic_ticks(const struct vrtc *r)
{
	unsigned rs = r->cmos[REG_A] & 0x0f;

	if (rs == 0)
		return 0;
	if (rs <= 2)
		return 64u << rs; /* 0001: 3.90625 ms, 0010: 7.8125 ms */
	return 1u << (rs - 1);    /* 0011: 122.07 us ... 1111: 500 ms */
}

static uint64_t periods_at(const struct vrtc *r, uint64_t now, uint64_t ticks)
{
	if (now <= r->base_ns)
		return 0;
	return vdev_muldiv(now - r->base_ns, 32768, VDEV_NS_PER_SEC) / ticks;
}

/* Alarm registers with 11xxxxxx are "don't care" ("Alarm" section). */
static bool alarm_matches(const struct vrtc *r, uint64_t s)
{
	struct civil c;
	uint8_t a;

	civil_from_secs(s, &c);
	a = r->cmos[REG_SEC_ALARM];
	if ((a & 0xc0) != 0xc0 && a != enc(r, c.sec))
		return false;
	a = r->cmos[REG_MIN_ALARM];
	if ((a & 0xc0) != 0xc0 && a != enc(r, c.min))
		return false;
	a = r->cmos[REG_HOUR_ALARM];
	return (a & 0xc0) == 0xc0 || a == enc_hour(r, c.hour);
}

static void update_irq(struct vrtc *r)
{
	uint8_t c = r->cmos[REG_C] & 0x70, b = r->cmos[REG_B];
	bool level;

	/* IRQF = PF.PIE + AF.AIE + UF.UIE (register C). */
	if ((c & C_PF && b & B_PIE) || (c & C_AF && b & B_AIE) || (c & C_UF && b & B_UIE))
		c |= C_IRQF;
	r->cmos[REG_C] = c;
	level = c & C_IRQF;
	if (level != r->irq_level) {
		r->irq_level = level;
		virq_line_set(&r->irq, level);
	}
}

static void vrtc_advance(struct vrtc *r, uint64_t now)
{
	uint64_t ticks = periodic_ticks(r), s_last, s_now, s;

	if (now <= r->last_ns)
		return;
	if (ticks && periods_at(r, now, ticks) > periods_at(r, r->last_ns, ticks))
		r->cmos[REG_C] |= C_PF;
	if (!clock_stopped(r)) {
		s_last = secs_at(r, r->last_ns);
		s_now = secs_at(r, now);
		if (s_now > s_last) {
			r->cmos[REG_C] |= C_UF;
			s = s_now - s_last > ALARM_SCAN_MAX ? s_now - ALARM_SCAN_MAX : s_last;
			for (s = s + 1; s <= s_now; s++) {
				if (alarm_matches(r, s)) {
					r->cmos[REG_C] |= C_AF;
					break;
				}
			}
		}
	}
	r->last_ns = now;
	update_irq(r);
}

void vrtc_tick(struct vrtc *r, uint64_t now_ns)
{
	vrtc_advance(r, now_ns);
}

uint64_t vrtc_next_event_ns(const struct vrtc *r, uint64_t now_ns)
{
	uint64_t next = VDEV_NEVER, ticks = periodic_ticks(r);
	uint8_t b = r->cmos[REG_B], c = r->cmos[REG_C];

	if (ticks && (b & B_PIE) && !(c & C_PF)) {
		uint64_t k = periods_at(r, now_ns, ticks) + 1;
		next = r->base_ns + vdev_muldiv_ceil(k * ticks, VDEV_NS_PER_SEC, 32768);
	}
	if (!clock_stopped(r) && (((b & B_UIE) && !(c & C_UF)) || ((b & B_AIE) && !(c & C_AF)))) {
		uint64_t s = (now_ns > r->base_ns ? (now_ns - r->base_ns) / VDEV_NS_PER_SEC : 0) + 1;
		next = vdev_min_deadline(next, r->base_ns + s * VDEV_NS_PER_SEC);
	}
	return next;
}

/* ---------------------------------------------------------- registers */

static bool is_time_reg(uint8_t i)
{
	return i == REG_SEC || i == REG_MIN || i == REG_HOUR || (i >= REG_WDAY && i <= REG_YEAR) ||
	       i == VRTC_CENTURY;
}

/* A new clock value taking effect now; the phase within the second is kept
 * when the clock runs, restarted when SET is released ("SET" bit). */
static void rebase(struct vrtc *r, uint64_t now, bool keep_phase)
{
	uint64_t phase = keep_phase && now > r->base_ns ? (now - r->base_ns) % VDEV_NS_PER_SEC : 0;

	r->base_sec = load_time(r);
	r->base_ns = now - phase;
	r->last_ns = now;
}

static uint8_t vrtc_read(struct vrtc *r, uint8_t i, uint64_t now)
{
	uint8_t v;

	switch (i) {
	case REG_A:
		v = r->cmos[REG_A] & 0x7f;
		if (!clock_stopped(r) && now >= r->base_ns &&
		    (now - r->base_ns) % VDEV_NS_PER_SEC >= VDEV_NS_PER_SEC - UIP_NS)
			v |= A_UIP;
		return v;
	case REG_C: /* read-to-clear (register C) */
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		update_irq(r);
		return v;
	case REG_D:
		return D_VRT; /* valid RAM and time: the battery is fine */
	default:
		if (is_time_reg(i) && !clock_stopped(r))
			store_time(r, secs_at(r, now));
		return r->cmos[i];
	}
}

static void vrtc_write(struct vrtc *r, uint8_t i, uint8_t v, uint64_t now)
{
	uint8_t old;

	switch (i) {
	case REG_A:
		r->cmos[REG_A] = v & 0x7f; /* UIP is read-only */
		break;
	case REG_B:
		old = r->cmos[REG_B];
		if ((v & B_SET) && !(old & B_SET)) {
			store_time(r, secs_at(r, now)); /* freeze the current time */
			v &= (uint8_t)~B_UIE;           /* SET clears UIE */
		}
		r->cmos[REG_B] = v;
		if (!(v & B_SET) && (old & B_SET))
			rebase(r, now, false);
		update_irq(r);
		break;
	case REG_C:
	case REG_D:
		break; /* read-only */
	default:
		if (is_time_reg(i) && !clock_stopped(r)) {
			store_time(r, secs_at(r, now));
			r->cmos[i] = v;
			rebase(r, now, true);
		} else {
			r->cmos[i] = v;
		}
		break;
	}
}

int vrtc_pio(struct vrtc *r, uint16_t port, unsigned size, bool write, uint32_t *val,
	    uint64_t now_ns)
{
	if (size != 1 || (port != 0x70 && port != 0x71))
		return -EINVAL;
	vrtc_advance(r, now_ns);
	if (port == 0x70) {
		if (write) {
			r->index = *val & 0x7f;
			r->nmi_masked = *val & 0x80;
		} else {
			*val = 0xff; /* the index register is write-only */
		}
		return 0;
	}
	if (write)
		vrtc_write(r, r->index, (uint8_t)*val, now_ns);
	else
		*val = vrtc_read(r, r->index, now_ns);
	return 0;
}

void vrtc_init(struct vrtc *r, struct virq_line irq, uint64_t epoch_sec, uint64_t now_ns)
{
	memset(r, 0, sizeof(*r));
	r->irq = irq;
	r->cmos[REG_A] = 0x26; /* DV = 010 (32.768 kHz), RS = 0110 (1024 Hz) */
	r->cmos[REG_B] = B_24H; /* BCD, 24-hour, as PC BIOSes leave it */
	r->cmos[REG_D] = D_VRT;
	r->base_sec = epoch_sec;
	r->base_ns = now_ns;
	r->last_ns = now_ns;
	store_time(r, epoch_sec);
}

static void put16(struct vrtc *r, unsigned at, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	r->cmos[at] = (uint8_t)v;
	r->cmos[at + 1] = (uint8_t)(v >> 8);
}

void vrtc_set_memory(struct vrtc *r, uint64_t ram_below_4g, uint64_t ram_above_4g,
		    unsigned ncpus)
{
	uint64_t kb = ram_below_4g / 1024, hi;

	put16(r, 0x15, 640);                     /* base memory, KiB */
	put16(r, 0x17, kb > 1024 ? kb - 1024 : 0); /* KiB above 1 MiB (max 64 MiB) */
	put16(r, 0x30, kb > 1024 ? kb - 1024 : 0); /* same, POST copy */
	/* 64 KiB units between 16 MiB and 4 GiB */
	put16(r, 0x34, ram_below_4g > (16u << 20) ? (ram_below_4g - (16u << 20)) >> 16 : 0);
	hi = ram_above_4g >> 16;                 /* 64 KiB units above 4 GiB */
	if (hi > 0xffffff)
		hi = 0xffffff;
	r->cmos[0x5b] = (uint8_t)hi;
	r->cmos[0x5c] = (uint8_t)(hi >> 8);
	r->cmos[0x5d] = (uint8_t)(hi >> 16);
	r->cmos[0x5f] = (uint8_t)(ncpus ? ncpus - 1 : 0); /* QEMU: CPUs - 1 */
}
