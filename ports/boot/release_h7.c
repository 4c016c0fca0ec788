/*
 * The dual-core STM32H7's Cortex-M4 released by the bootloader on the
 * Cortex-M7 (release_h7.h): the M7's half, and the stub the M4 boots
 * into. Everything the M4 executes is in the .fk_stub.* sections, which
 * the linker script puts at the stub's address: the stub's vector table,
 * its reset handler and the table check. It is compiled for the M7
 * (-mcpu=cortex-m7 -mfloat-abi=soft): ARMv7E-M Thumb-2 without floating
 * point, which the M4 runs (tests/ports/stub_insns.sh checks the
 * disassembly).
 */
#include "release_h7.h"
#include "cortexm.h"

#define STUB_TEXT __attribute__((section(".fk_stub.text")))

#define RCC_GCR (*(volatile uint32_t *)FK_H7_RCC_GCR)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

/* The top of the M4 image's first RAM (the linker script's). */
extern uint32_t fk_boot_stub_stack[];

static volatile struct fk_h7_mailbox *mailbox(void)
{
	return (volatile struct fk_h7_mailbox *)fk_boot_layout_release.mailbox;
}

STUB_TEXT bool fk_h7_cm4_table_ok(uint32_t vt)
{
	const struct fk_boot_layout_release *r = &fk_boot_layout_release;
	const volatile uint32_t *table = (const volatile uint32_t *)vt;
	uint32_t sp, pc;

	if (vt != r->slot_lo + r->header_size || (vt & 0x7F) != 0)
		return false; /* VTOR: 128-byte aligned at least */
	sp = table[0];
	pc = table[1];
	return sp >= r->ram_lo && sp <= r->ram_hi && (sp & 7) == 0 &&
	       (pc & 1) != 0 && (pc & ~1u) >= vt && (pc & ~1u) < r->slot_hi;
}

/* The M4's reset handler: wait for a released table, take it, jump. */
STUB_TEXT __attribute__((noreturn)) static void stub_reset(void)
{
	volatile struct fk_h7_mailbox *mb =
		(volatile struct fk_h7_mailbox *)fk_boot_layout_release.mailbox;
	const volatile uint32_t *table;
	uint32_t vt;

	for (;;) {
		vt = mb->vector_table;
		if ((RCC_GCR & FK_H7_RCC_GCR_BOOT_C2) &&
		    mb->magic == FK_H7_MAILBOX_MAGIC && mb->check == ~vt &&
		    fk_h7_cm4_table_ok(vt))
			break;
		__asm__ volatile("wfe" ::: "memory");
	}
	mb->magic = 0;
	mb->vector_table = 0;
	mb->check = 0;
	table = (const volatile uint32_t *)vt;
	SCB_VTOR = vt;
	/* From here the stub's stack is gone: one asm block. */
	__asm__ volatile("dsb\n\t"
			 "msr msp, %0\n\t"
			 "isb\n\t"
			 "bx %1\n\t"
			 :
			 : "r"(table[0]), "r"(table[1])
			 : "memory");
	__builtin_unreachable();
}

__attribute__((section(".fk_stub.vectors"), used))
const uint32_t fk_h7_cm4_stub_vectors[2] = {
	(uint32_t)(uintptr_t)fk_boot_stub_stack,
	(uint32_t)(uintptr_t)stub_reset,
};

/* The table of image i as fk_boot() validated it: its slot plus header. */
static uint32_t table_of(const struct fk_boot_image_ref *ref)
{
	return ref->slot->flash->geo.base + ref->slot->off +
	       ref->info.hdr.hdr_size;
}

/* The M7's image: the check fk_boot_jump() makes before it jumps. */
static bool cm7_table_ok(const struct fk_boot_image_ref *ref)
{
	const struct fk_boot_layout_image *li = &fk_boot_layout_images[0];
	uint32_t vt = table_of(ref);

	return fk_cortexm_vector_table_ok(vt, li->ram_lo, li->ram_hi, vt,
					  vt - ref->info.hdr.hdr_size +
						  ref->slot->size) != 0;
}

int fk_h7_release_cm4(const struct fk_boot_image_ref *refs, uint32_t count)
{
	volatile struct fk_h7_mailbox *mb = mailbox();
	uint32_t vt;

	if (fk_boot_layout_release.image >= count)
		return FK_EINVAL;
	vt = table_of(&refs[fk_boot_layout_release.image]);
	if (!cm7_table_ok(&refs[0]) || !fk_h7_cm4_table_ok(vt))
		return FK_ECORRUPT;
	mb->vector_table = vt;
	mb->check = ~vt;
	mb->magic = FK_H7_MAILBOX_MAGIC;
	__asm__ volatile("dsb" ::: "memory");
	RCC_GCR |= FK_H7_RCC_GCR_BOOT_C2;
	__asm__ volatile("dsb\n\tsev" ::: "memory");
	return FK_OK;
}
