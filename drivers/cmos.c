/* The host's MC146818 RTC, read once at boot: the wall-clock epoch that
 * guests' virtual RTCs start from. Waits (bounded) for the end of an update
 * cycle (UIP, register A bit 7) so the fields are consistent. */
#include "arch/x86.h"
#include "drivers/cmos.h"

static uint8_t rd(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10u + (v & 15u);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned era = y / 400, yoe = y - era * 400;
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

uint64_t cmos_read_epoch(void)
{
	for (int i = 0; i < 100000 && (rd(0x0a) & 0x80); i++)
		;
	uint8_t b = rd(0x0b);
	bool binary = b & 4, h24 = b & 2;
	unsigned sec = bcd(rd(0x00), binary), min = bcd(rd(0x02), binary);
	uint8_t hr = rd(0x04);
	unsigned hour = bcd(hr & 0x7f, binary);
	if (!h24 && (hr & 0x80))
		hour = (hour % 12) + 12;
	else if (!h24 && hour == 12)
		hour = 0;
	unsigned day = bcd(rd(0x07), binary), mon = bcd(rd(0x08), binary);
	unsigned year = bcd(rd(0x09), binary), century = bcd(rd(0x32), binary);
	year += (century >= 19 && century <= 30 ? century : 20) * 100;
	if (mon < 1 || mon > 12 || day < 1 || day > 31)
		return 0;
	return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}
