/*
 * Polled USART driver for the STM32 families of the seed boards: the
 * serial line the bootloader's recovery mode answers `flashkit upload`
 * on (ports/boot/boot_port.h, "serial recovery"). Register level, no
 * vendor HAL, no interrupt, no DMA; the clocks are the ones the part
 * resets with (the bootloader leaves them so).
 *
 * Two register sets (offsets from the USART's base):
 *   FK_USART_SR_DR  F1/F2/F4 (RM0033 ch. 24, RM0090 ch. 30): SR 0x00,
 *                   DR 0x04, BRR 0x08, CR1 0x0C, CR2 0x10, CR3 0x14;
 *                   CR1.UE is bit 13; an error flag is cleared by a read
 *                   of SR followed by a read of DR.
 *   FK_USART_ISR    L4, H7, F7, G4 (RM0351 ch. 40, RM0433 ch. 48): CR1
 *                   0x00, CR2 0x04, CR3 0x08, BRR 0x0C, ISR 0x1C, ICR
 *                   0x20, RDR 0x24, TDR 0x28; CR1.UE is bit 0; BRR and
 *                   the frame format are written only while UE is 0; an
 *                   error flag is cleared by writing its bit to ICR, and
 *                   while ORE is set no received byte reaches RDR.
 * Both: 8 data bits, no parity, one stop bit (CR2 and CR3 left at their
 * reset values), oversampling by 16, so BRR = kernel clock / baud,
 * rounded (on SR/DR its mantissa.fraction reading is that same value
 * divided by 16); status bits RXNE 5, TC 6, TXE 7, PE 0, FE 1, NF 2,
 * ORE 3 in SR and ISR alike.
 *
 * Receiving: the USART holds one byte (RDR/DR) while the next one is
 * shifted in; a byte that completes while the last one is unread is lost
 * and sets ORE. The driver reads one byte per fk_usart_read() call and
 * has no buffer, so it loses bytes when the caller does not call it for
 * longer than a byte's time (87 us at 115200 baud): fine for a receiver
 * whose host waits for each reply before it sends again
 * (FK_BOOT_SERIAL_WINDOW 1, the default), not for a window of frames.
 * Line errors are counted, their flags cleared, and never stop the
 * line:
 *   ORE  the byte held is delivered; at least one after it was lost
 *        (struct fk_usart.overruns);
 *   FE   a stop bit was 0 (a break, a wrong baud, a loose cable): the
 *        byte is dropped (framing);
 *   NF   noise while sampling: the byte is delivered (noise);
 *   PE   never set (no parity).
 * The update protocol's CRC finds whatever a lost or dropped byte did to
 * a frame; the host sends the frame again.
 *
 * Pins: each is put in its alternate function (MODER 10, AFRL/AFRH),
 * the receive pin pulled up so that an unplugged cable reads as an idle
 * line, not as a stream of breaks. The GPIO register block is the same
 * on the four families (MODER 0x00, PUPDR 0x0C, AFRL 0x20, AFRH 0x24).
 * fk_usart_open() switches the pins only after the transmitter is on, so
 * the line goes from the pin's reset state straight to idle high.
 *
 * Device code: C99 freestanding; no state but struct fk_usart.
 */
#ifndef FLASHKIT_PORTS_STM32_USART_H
#define FLASHKIT_PORTS_STM32_USART_H

#include <stdint.h>

/* The register set of the USART (above). */
enum fk_usart_kind {
	FK_USART_SR_DR = 1, /* F1, F2, F4 */
	FK_USART_ISR = 2,   /* L4, H7, F7, G4, ... */
};

/* One bit to set in an RCC enable register. */
struct fk_usart_clock {
	uint32_t reg; /* bus address of the register; 0: nothing to set */
	uint32_t bit; /* mask */
};

/* A pin of the USART. */
struct fk_usart_pin {
	uint32_t gpio; /* bus address of its GPIO port; 0: left as it is */
	uint8_t pin;   /* 0..15 */
	uint8_t af;    /* alternate function number, 0..15 */
};

struct fk_usart_config {
	uint32_t regs;		 /* bus address of the USART */
	enum fk_usart_kind kind; /* its register set */
	uint32_t kernel_hz;	 /* its kernel clock (at reset: below) */
	uint32_t baud;		 /* bits per second */
	/* The USART's and its GPIO ports' enable bits, set by open. */
	struct fk_usart_clock clocks[3];
	struct fk_usart_pin tx, rx;
};

struct fk_usart {
	struct fk_usart_config cfg; /* copied from fk_usart_init's */
	uint32_t brr;		    /* the BRR value open writes */
	uint32_t overruns;	    /* ORE seen: a byte or more was lost */
	uint32_t framing;	    /* bytes dropped for FE (or PE) */
	uint32_t noise;		    /* bytes delivered with NF */
};

/*
 * Fills *u from *cfg and computes BRR. Returns 0, or FK_EINVAL when the
 * kind is unknown, a pin or an alternate function is over 15, or the
 * baud is 0 or out of the USART's reach (BRR below 16 or over 0xFFFF).
 * Touches no register.
 */
int fk_usart_init(struct fk_usart *u, const struct fk_usart_config *cfg);

/*
 * Sets the clock enable bits, writes BRR and turns the USART on (8N1,
 * transmitter and receiver), waits on FK_USART_ISR parts until both
 * acknowledge (ISR.TEACK, REACK), then puts the pins in their alternate
 * function. The error counters restart at 0. Call once, before the
 * first read or write; calling it again reconfigures the USART (bytes
 * in flight are lost).
 */
void fk_usart_open(struct fk_usart *u);

/*
 * The next byte received (0..255), or -1 when none is waiting or the one
 * waiting had a framing error (dropped). Clears the error flags it finds
 * and counts them (above). Never waits: one read of the status, at most
 * one of the data register.
 */
int fk_usart_read(struct fk_usart *u);

/*
 * Sends len bytes, each once the transmit register is free (TXE), and
 * returns once the last one has left the pin (TC): a reset right after
 * loses none of them. Waits as long as the bytes take on the line
 * (len * 10 bit times).
 */
void fk_usart_write(struct fk_usart *u, const void *data, uint32_t len);

/*
 * The seed boards' lines (usart_boards.c, where each one's pins and the
 * clocks its part resets with are given, RM facts): 115200 baud.
 */
#define FK_USART_BAUD 115200u
extern const struct fk_usart_config fk_usart_f205_usart1; /* seed 003 */
extern const struct fk_usart_config fk_usart_l476_usart2; /* seed 001 */
extern const struct fk_usart_config fk_usart_h750_usart1; /* seed 002 */
extern const struct fk_usart_config fk_usart_h745_usart3; /* seed 004 */

/* The line of a bootloader's serial recovery (usart_boot.c), given by
 * the board, e.g. = &fk_usart_l476_usart2. */
extern const struct fk_usart_config *const fk_boot_usart;

#endif
