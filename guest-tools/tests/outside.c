/* Accesses outside the VM's memory: reads return all-ones, writes are
 * dropped, the VM lives on; nothing outside reaches the host. */
#include "guest.h"

int gmain(void)
{
	volatile uint32_t *beyond = (volatile uint32_t *)0x01000000u; /* RAM is 16 MiB */
	volatile uint32_t *far = (volatile uint32_t *)0xc0000000u;
	CHECK("read_beyond_ram_all_ones", *beyond == 0xffffffffu);
	*beyond = 0x12345678;
	CHECK("write_beyond_ram_dropped", *beyond == 0xffffffffu);
	CHECK("byte_read_all_ones", *(volatile uint8_t *)0xe0000000u == 0xff);
	*far = 1;
	*(volatile uint16_t *)0xfffffffeu = 2;
	CHECK("still_running", hypercall(HC_VERSION, 0, 0, 0, 0) == DITTO_ABI_VERSION);
	/* The last bytes of RAM are RAM. */
	volatile uint32_t *last = (volatile uint32_t *)(0x01000000u - 4);
	*last = 0xa5a5a5a5;
	CHECK("last_ram_word", *last == 0xa5a5a5a5);
	return 0;
}
