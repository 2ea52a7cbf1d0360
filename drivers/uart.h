#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H
#include <stdbool.h>
#include <stdint.h>
#define COM1_PORT 0x3f8
void uart_init(uint16_t port);
void uart_putc(char c);
/* Bytes uart_tx may write now (a whole FIFO once it is empty). Without
 * wait: 0 while the transmitter is busy. With wait: waits (bounded) until it
 * is not, and is never 0. */
unsigned uart_tx_room(bool wait);
void uart_tx(uint8_t c);
/* Non-blocking receive: -1 when nothing is waiting. */
int uart_getc(void);
/* Wait (bounded) until the transmitter is empty, so nothing is lost when the
 * emulator stops right after the last byte (bochs.md: poll LSR.TEMT). */
void uart_drain(void);
#endif
