/*
 * STM32 QUADSPI as a NOR bus (see nor_qspi_stm32.h).
 *
 * Register use, RM0433 23.5: CR (EN, ABORT, FTHRES, PRESCALER), DCR
 * (FSIZE, CSHT), SR (TEF, TCF, FTF, BUSY, FLEVEL), FCR, DLR, CCR, AR,
 * DR (bytes to send; words, then bytes, received). The
 * rules this file keeps: CCR, AR, DLR and DCR are written only while
 * BUSY = 0 (23.5.x: writes are ignored otherwise), and memory-mapped
 * mode is left only by ABORT; an indirect command starts on the CCR
 * write when it has no address and no data to send, on the AR write
 * when it has an address and nothing to send, on the first DR write
 * otherwise; TCF is cleared before each command and waited for after.
 *
 * Every function is FK_RAMFUNC (it runs out of memory-mapped mode).
 */
#include "nor_qspi_stm32.h"

#include "flashkit/error.h"

#ifndef FK_RAMFUNC
#define FK_RAMFUNC
#endif

#define QSPI_CR 0x00u
#define QSPI_DCR 0x04u
#define QSPI_SR 0x08u
#define QSPI_FCR 0x0Cu
#define QSPI_DLR 0x10u
#define QSPI_CCR 0x14u
#define QSPI_AR 0x18u
#define QSPI_DR 0x20u

#define CR_EN (1u << 0)
#define CR_ABORT (1u << 1)
#define CR_FTHRES_SHIFT 8
#define CR_PRESCALER_SHIFT 24

#define DCR_FSIZE_SHIFT 16
#define DCR_CSHT_SHIFT 8

#define SR_TEF (1u << 0)
#define SR_TCF (1u << 1)
#define SR_FTF (1u << 2)
#define SR_BUSY (1u << 5)
#define SR_FLEVEL (0x3Fu << 8)
#define SR_FLEVEL_SHIFT 8

#define FCR_CTEF (1u << 0)
#define FCR_CTCF (1u << 1)

#define CCR_IMODE_1LINE (1u << 8)
#define CCR_ADMODE_1LINE (1u << 10)
#define CCR_ADSIZE_SHIFT 12
#define CCR_DCYC_SHIFT 18
#define CCR_DMODE_1LINE (1u << 24)
#define CCR_FMODE_READ (1u << 26)
#define CCR_FMODE_MAPPED (3u << 26)

#define DEFAULT_TIMEOUT 1000000u

static FK_RAMFUNC volatile uint32_t *reg(const struct fk_nor_qspi *q,
					 uint32_t off)
{
	return (volatile uint32_t *)(q->regs + off);
}

/* Waits until (SR & mask) == want, at most q->timeout reads. */
static FK_RAMFUNC int wait_sr(const struct fk_nor_qspi *q, uint32_t mask,
			      uint32_t want)
{
	for (uint32_t i = 0; i < q->timeout; i++)
		if ((*reg(q, QSPI_SR) & mask) == want)
			return FK_OK;
	return FK_EIO;
}

static FK_RAMFUNC void mask_irqs(struct fk_nor_qspi *q)
{
	uint32_t v;

	if (q->irq_basepri == 0) {
		__asm__ volatile("mrs %0, primask\n\tcpsid i"
				 : "=r"(v)::"memory");
	} else {
		__asm__ volatile("mrs %0, basepri\n\tmsr basepri_max, %1"
				 : "=&r"(v)
				 : "r"((uint32_t)q->irq_basepri)
				 : "memory");
	}
	q->saved_mask = v;
}

static FK_RAMFUNC void restore_irqs(const struct fk_nor_qspi *q)
{
	if (q->irq_basepri == 0)
		__asm__ volatile("msr primask, %0" ::"r"(q->saved_mask)
				 : "memory");
	else
		__asm__ volatile("msr basepri, %0" ::"r"(q->saved_mask)
				 : "memory");
}

/* ABORT ends memory-mapped mode (23.3.x); wait for it and for BUSY. */
static FK_RAMFUNC int abort_transfer(struct fk_nor_qspi *q)
{
	*reg(q, QSPI_CR) |= CR_ABORT;
	for (uint32_t i = 0; i < q->timeout; i++)
		if (!(*reg(q, QSPI_CR) & CR_ABORT))
			return wait_sr(q, SR_BUSY, 0);
	return FK_EIO;
}

static FK_RAMFUNC int leave_mapped(struct fk_nor_qspi *q)
{
	if (!q->mapped)
		return FK_OK;
	mask_irqs(q);
	q->mapped = 0;
	return abort_transfer(q);
}

/* CCR's instruction, address and dummy fields for cmd, one line each. */
static FK_RAMFUNC uint32_t ccr_header(const struct fk_nor_cmd *cmd)
{
	uint32_t ccr = cmd->opcode | CCR_IMODE_1LINE;

	if (cmd->addr_len)
		ccr |= CCR_ADMODE_1LINE | (uint32_t)(cmd->addr_len - 1)
						  << CCR_ADSIZE_SHIFT;
	return ccr | (uint32_t)(cmd->dummy * 8u) << CCR_DCYC_SHIFT;
}

static FK_RAMFUNC int send_data(const struct fk_nor_qspi *q, const uint8_t *tx,
				uint32_t len)
{
	volatile uint8_t *dr = (volatile uint8_t *)reg(q, QSPI_DR);

	for (uint32_t i = 0; i < len; i++) {
		if (wait_sr(q, SR_FTF, SR_FTF) != FK_OK)
			return FK_EIO;
		*dr = tx[i];
	}
	return FK_OK;
}

/* Waits until the FIFO holds at least n bytes (SR.FLEVEL). */
static FK_RAMFUNC int wait_level(const struct fk_nor_qspi *q, uint32_t n)
{
	for (uint32_t i = 0; i < q->timeout; i++)
		if (((*reg(q, QSPI_SR) & SR_FLEVEL) >> SR_FLEVEL_SHIFT) >= n)
			return FK_OK;
	return FK_EIO;
}

/* Words while four bytes are left (a quarter of the bus accesses),
 * then bytes. */
static FK_RAMFUNC int receive_data(const struct fk_nor_qspi *q, uint8_t *rx,
				   uint32_t len)
{
	volatile uint32_t *dr = reg(q, QSPI_DR);
	uint32_t i = 0;

	while (i < len) {
		uint32_t n = len - i >= 4 ? 4 : 1, w;

		if (wait_level(q, n) != FK_OK)
			return FK_EIO;
		w = n == 4 ? *dr : *(volatile uint8_t *)dr;
		for (uint32_t k = 0; k < n; k++)
			rx[i++] = (uint8_t)(w >> (8 * k));
	}
	return FK_OK;
}

/* Waits for TCF, clears it; TEF (address beyond FSIZE) is an error. */
static FK_RAMFUNC int complete(const struct fk_nor_qspi *q)
{
	int rc = wait_sr(q, SR_TCF, SR_TCF);
	uint32_t sr = *reg(q, QSPI_SR);

	*reg(q, QSPI_FCR) = FCR_CTCF | FCR_CTEF;
	if (rc == FK_OK && (sr & SR_TEF))
		rc = FK_EIO;
	if (rc == FK_OK)
		rc = wait_sr(q, SR_BUSY, 0);
	return rc;
}

static FK_RAMFUNC int qspi_xfer(const struct fk_nor_bus *bus,
				const struct fk_nor_cmd *cmd, const void *tx,
				void *rx, uint32_t len)
{
	struct fk_nor_qspi *q = bus->ctx;
	uint32_t ccr = ccr_header(cmd);
	int rc = leave_mapped(q);

	if (rc == FK_OK)
		rc = wait_sr(q, SR_BUSY, 0);
	if (rc != FK_OK)
		return rc;
	*reg(q, QSPI_FCR) = FCR_CTCF | FCR_CTEF;
	if (len) {
		*reg(q, QSPI_DLR) = len - 1;
		ccr |= CCR_DMODE_1LINE;
	}
	if (rx)
		ccr |= CCR_FMODE_READ;
	*reg(q, QSPI_CCR) = ccr;
	if (cmd->addr_len)
		*reg(q, QSPI_AR) = cmd->addr;
	if (tx && len)
		rc = send_data(q, tx, len);
	else if (rx && len)
		rc = receive_data(q, rx, len);
	return rc == FK_OK ? complete(q) : rc;
}

static FK_RAMFUNC int qspi_idle(const struct fk_nor_bus *bus,
				const struct fk_nor_cmd *read)
{
	struct fk_nor_qspi *q = bus->ctx;
	int rc;

	if (q->mapped)
		return FK_OK;
	rc = wait_sr(q, SR_BUSY, 0);
	if (rc == FK_OK) {
		*reg(q, QSPI_CCR) =
			ccr_header(read) | CCR_DMODE_1LINE | CCR_FMODE_MAPPED;
		q->mapped = 1;
		restore_irqs(q);
	}
	return rc;
}

FK_RAMFUNC int fk_nor_qspi_init(struct fk_nor_qspi *q,
				const struct fk_nor_qspi_config *config)
{
	struct fk_nor_cmd read;
	uint32_t csht;

	if (!q || !config || config->size_log2 < 1 || config->size_log2 > 32)
		return FK_EINVAL;
	q->bus.xfer = qspi_xfer;
	q->bus.idle = qspi_idle;
	q->bus.ctx = q;
	q->regs = config->regs;
	q->timeout = config->timeout ? config->timeout : DEFAULT_TIMEOUT;
	q->irq_basepri = config->irq_basepri;
	q->mapped = 1; /* as a boot stage may have left it: abort first */
	if (leave_mapped(q) != FK_OK)
		return FK_EIO;
	csht = config->cs_high_clocks ? config->cs_high_clocks - 1u : 7u;
	*reg(q, QSPI_CR) = (uint32_t)config->prescaler << CR_PRESCALER_SHIFT;
	*reg(q, QSPI_DCR) = (uint32_t)(config->size_log2 - 1)
				    << DCR_FSIZE_SHIFT |
			    (csht & 7u) << DCR_CSHT_SHIFT;
	*reg(q, QSPI_CR) |= CR_EN;
	read.opcode = 0x0B;
	read.addr_len = 3;
	read.dummy = 1;
	read.addr = 0;
	return qspi_idle(&q->bus, &read);
}
