/*
 * The exports file reader, the hash chain and the run-time check of a
 * library module: what is accepted and how it is normalized, every
 * refusal with its position, the append-only rule (a prefix keeps its
 * hashes; a change, a move or a removal changes them) on the reader,
 * on the lock check and on fk_module_check() over a table built here.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flashkit/module.h"
#include "layout/diag_capture.h"
#include "module/exports.h"
#include "module/module_gen.h"

static char messages[8192];

/* Parses text; returns 0/-1 and leaves the diagnostics in messages. */
static int parse(const char *text, struct fk_exports *ex)
{
	FILE *fp = fmemopen(messages, sizeof(messages), "w");
	struct fk_diag d = capture_sink(fp);
	int rc;

	rc = fk_exports_parse("t.exports", text, strlen(text), ex, &d);
	fclose(fp);
	return rc;
}

static const char base[] = "module usrlib\n"
			   "api 1\n"
			   "header \"types.h\"\n"
			   "int32_t add(int32_t a, int32_t b);\n"
			   "uint32_t count(void);\n"
			   "const char *name(void);\n";

static void test_exports_normalized_and_chained(void **state)
{
	struct fk_exports ex;
	uint32_t h;

	(void)state;
	assert_int_equal(parse(base, &ex), 0);
	assert_string_equal(ex.name, "usrlib");
	assert_int_equal(ex.api, 1);
	assert_int_equal(ex.header_count, 1);
	assert_string_equal(ex.headers[0], "types.h");
	assert_int_equal(ex.count, 3);
	assert_string_equal(ex.fns[0].normalized,
			    "int32_t add(int32_t, int32_t)");
	assert_string_equal(ex.fns[1].normalized, "uint32_t count(void)");
	assert_string_equal(ex.fns[2].normalized, "const char * name(void)");
	assert_string_equal(ex.fns[0].params[1].name, "b");
	assert_int_equal(ex.fns[2].pos.line, 6);
	assert_int_equal(ex.id, fk_module_id("usrlib"));
	h = fk_module_hash_seed(ex.id, 1);
	for (uint32_t i = 0; i < ex.count; i++) {
		h = fk_module_hash_next(h, ex.fns[i].normalized);
		assert_int_equal(ex.fns[i].hash, h);
	}
	fk_exports_free(&ex);
}

/* Hashes of text's entries into out (at most n); returns the count. */
static uint32_t hashes(const char *text, uint32_t *out, uint32_t n)
{
	struct fk_exports ex;
	uint32_t c;

	assert_int_equal(parse(text, &ex), 0);
	c = ex.count;
	for (uint32_t i = 0; i < c && i < n; i++)
		out[i] = ex.fns[i].hash;
	fk_exports_free(&ex);
	return c;
}

static void test_appending_keeps_the_prefix_hashes(void **state)
{
	char grown[512];
	uint32_t a[8], b[8];

	(void)state;
	snprintf(grown, sizeof(grown), "%svoid reset(uint32_t to);\n", base);
	assert_int_equal(hashes(base, a, 8), 3);
	assert_int_equal(hashes(grown, b, 8), 4);
	assert_memory_equal(a, b, 3 * sizeof(uint32_t));
}

/* One edit of base: the hashes from entry `from` on must all differ. */
static void expect_changed_from(const char *from_text, const char *to_text,
				uint32_t from)
{
	char edited[512];
	const char *at = strstr(base, from_text);
	uint32_t a[8], b[8];

	assert_non_null(at);
	snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - base), base,
		 to_text, at + strlen(from_text));
	assert_int_equal(hashes(base, a, 8), hashes(edited, b, 8));
	for (uint32_t i = 0; i < 3; i++) {
		if (i < from)
			assert_int_equal(a[i], b[i]);
		else
			assert_int_not_equal(a[i], b[i]);
	}
}

static void test_prototype_change_changes_its_hash_and_later(void **state)
{
	(void)state;
	expect_changed_from("int32_t b)", "int16_t b)", 0);
	expect_changed_from("uint32_t count", "int32_t count", 1);
	expect_changed_from("const char *name", "char *name", 2);
	expect_changed_from("*name(void)", "*label(void)", 2);
	/* swapping two entries moves them: both change */
	expect_changed_from("uint32_t count(void);\nconst char *name(void);",
			    "const char *name(void);\nuint32_t count(void);",
			    1);
	/* api and module name seed the chain */
	expect_changed_from("api 1", "api 2", 0);
	expect_changed_from("module usrlib", "module otherlib", 0);
}

static void test_names_spacing_comments_do_not_count(void **state)
{
	uint32_t a[8], b[8];
	const char *same = "module usrlib\napi 1\n"
			   "/* the sum */ int32_t  add ( int32_t x,\n"
			   "\tint32_t y ) ; // comment\n"
			   "uint32_t count( void );\n"
			   "extern const char*name(void);\n";

	(void)state;
	assert_int_equal(hashes(base, a, 8), hashes(same, b, 8));
	assert_memory_equal(a, b, 3 * sizeof(uint32_t));
}

static const struct {
	const char *text;
	const char *message;
} refused[] = {
	{ "module m\napi 1\nint f(int, int b);\n",
	  "t.exports:3:7: error: parameter 1 of 'f': no name" },
	{ "module m\napi 1\nint f(unsigned long);\n",
	  "t.exports:3:7: error: parameter 1 of 'f': no name" },
	{ "module m\napi 1\nint f(const x);\n",
	  "t.exports:3:7: error: parameter 1 of 'f': no name" },
	{ "module m\napi 1\nint f(int a, ...);\n",
	  "t.exports:3:14: error: parameter 2 of 'f': variadic" },
	{ "module m\napi 1\nint f(int a[2]);\n",
	  "t.exports:3:12: error: parameter 1 of 'f': an array" },
	{ "module m\napi 1\nint f(void (*cb)(int));\n",
	  "t.exports:3:12: error: 'f' takes a function pointer" },
	{ "module m\napi 1\nstatic int f(void);\n",
	  "t.exports:3:1: error: only prototypes go here" },
	{ "module m\napi 1\nint f(void) { return 1; }\n",
	  "t.exports:3:1: error: only prototypes go here" },
	{ "module m\napi 1\ntypedef int t;\n",
	  "t.exports:3:1: error: only prototypes go here" },
	{ "module m\napi 1\nint x;\n",
	  "t.exports:3:1: error: not a prototype" },
	{ "module m\napi 1\nint (void);\n",
	  "t.exports:3:1: error: not a prototype" },
	{ "module m\napi 1\nint f(int a) const;\n",
	  "t.exports:3:12: error: 'f': nothing may follow" },
	{ "module m\napi 1\nint f(int a);\nint f(int b);\n",
	  "t.exports:4:1: error: 'f' is exported twice (first at line 3)" },
	{ "module m\napi 1\nint f(int a)\n",
	  "t.exports:3:1: error: declaration without ';'" },
	{ "module m\napi 0\nint f(int a);\n",
	  "t.exports:2:5: error: `api` takes a decimal number from 1" },
	{ "module m\napi 70000\nint f(int a);\n",
	  "t.exports:2:5: error: `api` takes a decimal number from 1" },
	{ "module m\napi 1\napi 2\nint f(int a);\n",
	  "t.exports:3:1: error: second `api` line" },
	{ "module m/x\napi 1\nint f(int a);\n",
	  "t.exports:1:9: error: module name: letters" },
	{ "api 1\nint f(int a);\n", "t.exports: error: no `module NAME` line" },
	{ "module m\nint f(int a);\n", "t.exports: error: no `api N` line" },
	{ "module m\napi 1\n", "t.exports: error: no prototypes" },
	{ "module m\napi 1\nheader types.h\nint f(int a);\n",
	  "t.exports:3:1: error: `header` takes one file name" },
	{ "module m\napi 1\nheader \"types.h\nint f(int a);\n",
	  "t.exports:3:8: error: string not closed" },
	{ "module m\napi 1\n/* open\nint f(int a);\n",
	  "t.exports:3:1: error: comment not closed" },
	{ "module m\napi 1\nfrom \"a.h\"\nint f(int a);\n",
	  "t.exports:3:1: error: prototypes here and `from` a header" },
	{ "module m\napi 1\nint f(int a, int b, int c, int d, int e, int f, "
	  "int g, int h, int i, int j, int k, int l, int m, int n, int o, "
	  "int p, int q);\n",
	  "parameter 17 of 'f': more than 16 parameters" },
};

static void test_refusals_say_where_and_what(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		struct fk_exports ex;

		if (parse(refused[i].text, &ex) == 0)
			fail_msg("accepted: %s", refused[i].text);
		if (!strstr(messages, refused[i].message))
			fail_msg("case %zu: wanted '%s', got '%s'", i,
				 refused[i].message, messages);
	}
}

static void test_from_header_takes_only_prototypes(void **state)
{
	static const char header[] =
		"#ifndef USRLIB_H\n#define USRLIB_H\n"
		"#include <stdint.h>\n"
		"#define SCALE(x) \\\n  ((x) * 2)\n"
		"#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
		"typedef struct vec { int32_t x, y; } vec_t;\n"
		"struct opaque;\n"
		"enum mode { A, B };\n"
		"extern int32_t usrlib_version;\n"
		"static inline int32_t twice(int32_t v) { return v * 2; }\n"
		"/* the API */\n"
		"int32_t usrlib_add(int32_t a, int32_t b);\n"
		"void usrlib_scale(vec_t *v, int32_t k) "
		"__attribute__((nonnull));\n"
		"struct opaque *usrlib_open(enum mode m);\n"
		"#ifdef __cplusplus\n}\n#endif\n#endif\n";
	struct fk_exports ex;
	struct fk_diag d = { 0 };

	(void)state;
	assert_int_equal(
		parse("module usrlib\napi 1\nfrom \"usrlib.h\"\n", &ex), 0);
	assert_int_equal(ex.count, 0);
	assert_string_equal(ex.from, "usrlib.h");
	assert_int_equal(fk_exports_add_header(&ex, "usrlib.h", header,
					       strlen(header), &d),
			 0);
	assert_int_equal(ex.count, 3);
	assert_string_equal(ex.fns[0].normalized,
			    "int32_t usrlib_add(int32_t, int32_t)");
	assert_string_equal(ex.fns[1].normalized,
			    "void usrlib_scale(vec_t *, int32_t)");
	assert_string_equal(ex.fns[2].normalized,
			    "struct opaque * usrlib_open(enum mode)");
	assert_int_equal(ex.fns[1].pos.line, 16);
	assert_string_equal(ex.fns[1].pos.file, "usrlib.h");
	assert_int_not_equal(ex.fns[2].hash, 0);
	fk_exports_free(&ex);
}

static int lock_check(const char *now, const char *locked)
{
	struct fk_exports a, b;
	FILE *fp;
	struct fk_diag d;
	int rc;

	assert_int_equal(parse(now, &a), 0);
	assert_int_equal(parse(locked, &b), 0);
	fp = fmemopen(messages, sizeof(messages), "w");
	d = capture_sink(fp);
	rc = fk_module_lock_check(&a, &b, &d);
	fclose(fp);
	fk_exports_free(&a);
	fk_exports_free(&b);
	return rc;
}

static void test_lock_refuses_breaks_unless_api_raised(void **state)
{
	char text[512];
	struct fk_exports ex;
	char *lock;
	size_t len;
	FILE *fp;

	(void)state;
	/* the lock is an exports file: written, read back, equal */
	assert_int_equal(parse(base, &ex), 0);
	fp = open_memstream(&lock, &len);
	fk_module_gen_lock(&ex, fp);
	fclose(fp);
	fk_exports_free(&ex);
	assert_int_equal(lock_check(base, lock), 0);
	snprintf(text, sizeof(text), "%svoid more(int a);\n", base);
	assert_int_equal(lock_check(text, lock), 0);
	assert_int_equal(
		lock_check("module usrlib\napi 1\nint32_t add(int32_t a, "
			   "int32_t b);\nuint32_t count(void);\n",
			   lock),
		-1);
	assert_non_null(strstr(messages, "'name' (entry 2) is gone"));
	assert_int_equal(lock_check("module usrlib\napi 1\nint32_t "
				    "add(int32_t a, int16_t b);\nuint32_t "
				    "count(void);\nconst char *name(void);\n",
				    lock),
			 -1);
	assert_non_null(strstr(messages, "t.exports:3:1: error: entry 0 is "
					 "'int32_t add(int32_t, int16_t)'"));
	assert_int_equal(
		lock_check("module usrlib\napi 2\nint f(int a);\n", lock), 0);
	assert_int_equal(
		lock_check("module other\napi 1\nint f(int a);\n", lock), -1);
	free(lock);
	assert_int_equal(lock_check("module usrlib\napi 1\nint f(int a);\n",
				    "module usrlib\napi 2\nint f(int a);\n"),
			 -1);
	assert_non_null(strstr(messages, "never goes back"));
}

/* A table as a module's generated file lays it out, built here. */
struct table3 {
	struct fk_module_header h;
	struct fk_module_entry e[3];
};

static int inits;
static void init(void)
{
	inits++;
}

static void test_check_refuses_missing_old_and_other(void **state)
{
	static struct table3 t;
	struct fk_exports ex;
	struct fk_module_expect want;
	struct fk_module_header *h = &t.h;

	(void)state;
	assert_int_equal(parse(base, &ex), 0);
	t.h = (struct fk_module_header){
		FK_MODULE_MAGIC, FK_MODULE_FORMAT, ex.id, 1, 3, init
	};
	for (int i = 0; i < 3; i++)
		t.h.entries[i].hash = ex.fns[i].hash;
	want = (struct fk_module_expect){ ex.id, 1, 3, ex.fns[2].hash };
	inits = 0;
	assert_int_equal(fk_module_bind(h, &want), 0);
	assert_int_equal(inits, 1);
	/* an app built against the first two entries binds too */
	want.count = 2;
	want.hash = ex.fns[1].hash;
	assert_int_equal(fk_module_check(h, &want), 0);
	want.hash = ex.fns[2].hash; /* a misplaced entry's hash */
	assert_int_equal(fk_module_check(h, &want), FK_EMISMATCH);
	want = (struct fk_module_expect){ ex.id, 1, 3, ex.fns[2].hash };
	h->count = 2; /* the module is older than the app */
	assert_int_equal(fk_module_bind(h, &want), FK_EDEPEND);
	h->count = 3;
	h->api = 2;
	assert_int_equal(fk_module_check(h, &want), FK_EMISMATCH);
	h->api = 1;
	h->id ^= 1;
	assert_int_equal(fk_module_check(h, &want), FK_EMISMATCH);
	h->id ^= 1;
	h->entries[2].hash ^= 0x100;
	assert_int_equal(fk_module_bind(h, &want), FK_EMISMATCH);
	h->entries[2].hash ^= 0x100;
	memset(&h->magic, 0xFF, 4); /* erased flash */
	assert_int_equal(fk_module_bind(h, &want), FK_ENOENT);
	assert_int_equal(inits, 1); /* only the good bind ran init */
	assert_int_equal(fk_module_check(NULL, &want), FK_EINVAL);
	want.count = 0;
	assert_int_equal(fk_module_check(h, &want), FK_EINVAL);
	fk_exports_free(&ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exports_normalized_and_chained),
		cmocka_unit_test(test_appending_keeps_the_prefix_hashes),
		cmocka_unit_test(
			test_prototype_change_changes_its_hash_and_later),
		cmocka_unit_test(test_names_spacing_comments_do_not_count),
		cmocka_unit_test(test_refusals_say_where_and_what),
		cmocka_unit_test(test_from_header_takes_only_prototypes),
		cmocka_unit_test(test_lock_refuses_breaks_unless_api_raised),
		cmocka_unit_test(test_check_refuses_missing_old_and_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
