/*
 * Probes: single bus accesses a host test makes from inside the emulated
 * CPU (uc_call_sym), to drive a model through a sequence no correct
 * driver would make and check the model notices (a wrong key, a store of
 * the wrong width, a read while busy, code fetched from a busy flash).
 * Linked into every test image. The _ram versions run from RAM.
 */
#ifndef FLASHKIT_TESTS_PROBE_H
#define FLASHKIT_TESTS_PROBE_H

#include <stdint.h>

uint32_t fk_probe_rd8(uint32_t addr);
uint32_t fk_probe_rd16(uint32_t addr);
uint32_t fk_probe_rd32(uint32_t addr);
void fk_probe_wr8(uint32_t addr, uint32_t value);
void fk_probe_wr16(uint32_t addr, uint32_t value);
void fk_probe_wr32(uint32_t addr, uint32_t value);
/* Two word stores at addr and addr + 4 (a 64-bit program). */
void fk_probe_wr64(uint32_t addr, uint32_t lo, uint32_t hi);
uint32_t fk_probe_rd32_ram(uint32_t addr);
void fk_probe_wr32_ram(uint32_t addr, uint32_t value);
/* Stores value at addr, then waits until no bit of mask is set in the
 * word at poll; returns its last value. From RAM, or from ROM. */
uint32_t fk_probe_start_wait_ram(uint32_t addr, uint32_t value, uint32_t poll,
				 uint32_t mask);
uint32_t fk_probe_start_wait_rom(uint32_t addr, uint32_t value, uint32_t poll,
				 uint32_t mask);

#endif
