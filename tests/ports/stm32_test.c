/*
 * The shared steps of the STM32 port tests (stm32_test.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "stm32_test.h"

static const char *violation(void *ctx)
{
	struct uc *uc = ctx;

	return uc_violations(uc) ? uc_first_violation(uc) : NULL;
}

void stm32_conformance(struct uc_flash *uf, const char *name,
		       uint32_t max_sectors)
{
	struct conf_target t = { .name = name,
				 .flash = &uf->flash,
				 .sim = uf->sim,
				 .violation = violation,
				 .ctx = uf->uc,
				 .max_sectors = max_sectors };
	struct conf_result r;

	if (conf_run(&t, &r) != 0)
		fail_msg("%s (%u checks, %u failed)", r.first, r.checks,
			 r.failures);
	assert_true(r.checks > 10);
	print_message("%s: %u conformance checks passed\n", name, r.checks);
}

void stm32_assert_no_violation(struct uc *uc)
{
	if (uc_violations(uc))
		fail_msg("model: %s", uc_first_violation(uc));
}

uint32_t stm32_misuse(struct uc *uc, const char *fn, enum uc_run expect)
{
	uint32_t r = 0;
	enum uc_run run = uc_call_sym(uc, fn, NULL, 0, &r);

	if (run != expect)
		fail_msg("%s: %s, expected %s (%s)", fn, uc_run_name(run),
			 uc_run_name(expect), uc_first_violation(uc));
	return r;
}

void stm32_expect_violation(struct uc *uc, const char *fn, const char *words)
{
	stm32_misuse(uc, fn, UC_RUN_VIOLATION);
	if (!strstr(uc_first_violation(uc), words))
		fail_msg("%s: \"%s\" lacks \"%s\"", fn, uc_first_violation(uc),
			 words);
	uc_clear_violations(uc);
	uc_reboot(uc);
}

void stm32_expect_flags(struct uc *uc, const char *fn, uint32_t mask,
			uint32_t flags)
{
	uint32_t sr = stm32_misuse(uc, fn, UC_RUN_OK);

	if ((sr & mask) != flags)
		fail_msg("%s: status 0x%08x, expected flags 0x%08x", fn, sr,
			 flags);
	uc_reboot(uc);
}

static bool sweeps_full;

void stm32_select_tests(int argc, char **argv)
{
	bool sweeps = false;

	for (int i = 1; i < argc; i++) {
		sweeps |= strcmp(argv[i], "--sweeps") == 0;
		sweeps_full |= strcmp(argv[i], "--full") == 0;
	}
	if (sweeps || sweeps_full)
		cmocka_set_test_filter("*_survives_every_cut");
	else
		cmocka_set_skip_filter("*_survives_every_cut");
}

void stm32_kv_sweep(struct port_kv_sweep *s, uint32_t long_factor,
		    struct port_kv_counts *n)
{
	char msg[400];

	if (sweeps_full) {
		s->ops *= long_factor;
		s->warmup = 0;
	}
	if (port_kv_sweep(s, n, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	print_message(
		"%s: %llu user ops, %llu flash ops, %llu erases, "
		"%llu cuts (old %llu, new %llu)\n",
		s->name, (unsigned long long)n->user_ops,
		(unsigned long long)n->flash_ops, (unsigned long long)n->erases,
		(unsigned long long)n->cases, (unsigned long long)n->saw_old,
		(unsigned long long)n->saw_new);
}
