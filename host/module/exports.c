/*
 * The exports file reader (grammar in exports.h and docs/modules.md) and
 * the hash chain over the prototypes it lists. One small lexer serves the
 * exports file and the C header `from` names: it drops comments and
 * preprocessor lines and yields words, numbers, strings and punctuation
 * with their positions; statements end at `;` outside braces.
 *
 * Invariant: a function is accepted only when its prototype can be
 * forwarded unchanged by a wrapper (every parameter named, no varargs,
 * arrays or function pointers), so the import side never guesses.
 */
#include "module/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkit/bytes.h"
#include "flashkit/crypto.h"

enum tok_kind { T_END, T_WORD, T_NUMBER, T_STRING, T_PUNCT };

struct tok {
	enum tok_kind kind;
	const char *s; /* T_STRING: without the quotes */
	size_t n;
	struct fk_pos pos;
};

struct lexer {
	const char *p, *end;
	struct fk_pos pos;
	bool line_start; /* nothing but blanks since the last newline */
	struct fk_diag *diag;
	int errors;
};

/* A statement's tokens (bounded: a prototype is short). */
#define STMT_MAX 512
struct stmt {
	struct tok t[STMT_MAX];
	size_t n;
	bool has_body; /* held a {...} block */
	bool overflow; /* more than STMT_MAX tokens */
};

static void advance(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->pos.line++;
		lx->pos.col = 1;
		lx->line_start = true;
	} else {
		lx->pos.col++;
	}
	lx->p++;
}

static bool at(const struct lexer *lx, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(lx->end - lx->p) >= n && !memcmp(lx->p, s, n);
}

/* Skips to the end of the line; a backslash before the newline goes on
 * (preprocessor lines). */
static void skip_line(struct lexer *lx, bool continued)
{
	while (lx->p < lx->end && *lx->p != '\n') {
		if (continued && *lx->p == '\\' && lx->p + 1 < lx->end &&
		    lx->p[1] == '\n')
			advance(lx);
		advance(lx);
	}
}

static void skip_blanks(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '\f' || c == '\v') {
			advance(lx);
		} else if (at(lx, "//")) {
			skip_line(lx, false);
		} else if (at(lx, "/*")) {
			struct fk_pos start = lx->pos;

			advance(lx);
			advance(lx);
			while (lx->p < lx->end && !at(lx, "*/"))
				advance(lx);
			if (lx->p >= lx->end) {
				fk_diag_error(lx->diag, &start,
					      "comment not closed: end it "
					      "with */");
				lx->errors++;
				return;
			}
			advance(lx);
			advance(lx);
		} else if (c == '#' && lx->line_start) {
			skip_line(lx, true);
		} else {
			return;
		}
	}
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The next token; *line_start says whether it opens its line. */
static struct tok next(struct lexer *lx, bool *line_start)
{
	struct tok t = { T_END, NULL, 0, { 0 } };

	skip_blanks(lx);
	t.pos = lx->pos;
	t.s = lx->p;
	if (line_start)
		*line_start = lx->line_start;
	if (lx->p >= lx->end)
		return t;
	lx->line_start = false;
	if (is_word_char(*lx->p)) {
		t.kind = (*lx->p >= '0' && *lx->p <= '9') ? T_NUMBER : T_WORD;
		while (lx->p < lx->end && is_word_char(*lx->p))
			advance(lx);
	} else if (*lx->p == '"') {
		t.kind = T_STRING;
		advance(lx);
		t.s = lx->p;
		while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n')
			advance(lx);
		t.n = (size_t)(lx->p - t.s);
		if (lx->p >= lx->end || *lx->p != '"') {
			fk_diag_error(lx->diag, &t.pos,
				      "string not closed on its line: end it "
				      "with \"");
			lx->errors++;
			return t;
		}
		advance(lx);
		return t;
	} else if (at(lx, "...")) {
		t.kind = T_PUNCT;
		advance(lx);
		advance(lx);
		advance(lx);
	} else {
		t.kind = T_PUNCT;
		advance(lx);
	}
	t.n = (size_t)(lx->p - t.s);
	return t;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->s, s, t->n);
}

static bool tok_copy(char *dst, size_t len, const struct tok *t)
{
	if (t->n >= len)
		return false;
	memcpy(dst, t->s, t->n);
	dst[t->n] = '\0';
	return true;
}

/* ---- hashing --------------------------------------------------------- */

static uint32_t sha256_le32(const void *a, size_t alen, const void *b,
			    size_t blen)
{
	const struct fk_crypto_port *c = &fk_crypto_builtin;
	union fk_sha256_state st;
	uint8_t d[32];

	c->sha256_init(&st);
	c->sha256_update(&st, a, alen);
	if (blen)
		c->sha256_update(&st, b, blen);
	c->sha256_finish(&st, d);
	return fk_le32(d);
}

uint32_t fk_module_id(const char *name)
{
	static const char tag[] = "flashkit module ";

	return sha256_le32(tag, sizeof(tag) - 1, name, strlen(name));
}

uint32_t fk_module_hash_seed(uint32_t id, uint32_t api)
{
	uint8_t b[8];

	fk_put_le32(b, id);
	fk_put_le32(b + 4, api);
	return sha256_le32(b, sizeof(b), NULL, 0);
}

uint32_t fk_module_hash_next(uint32_t prev, const char *normalized)
{
	uint8_t b[4];

	fk_put_le32(b, prev);
	return sha256_le32(b, sizeof(b), normalized, strlen(normalized));
}

/* ---- prototypes ------------------------------------------------------ */

static const char *const type_words[] = {
	"void",	    "char",	"short",    "int",   "long", "float",
	"double",   "signed",	"unsigned", "_Bool", "bool", "const",
	"volatile", "restrict", "struct",   "union", "enum",
};

static bool is_type_word(const struct tok *t)
{
	for (size_t i = 0; i < sizeof(type_words) / sizeof(*type_words); i++)
		if (tok_is(t, type_words[i]))
			return true;
	return false;
}

static bool is_qualifier(const struct tok *t)
{
	return tok_is(t, "const") || tok_is(t, "volatile") ||
	       tok_is(t, "restrict");
}

/* Joins tokens [a, b) with single spaces into dst; false if too long or
 * a token is no word and no '*'. */
static bool join_type(char *dst, size_t len, const struct tok *t, size_t a,
		      size_t b)
{
	size_t o = 0;

	for (size_t i = a; i < b; i++) {
		if (t[i].kind != T_WORD && !tok_is(&t[i], "*"))
			return false;
		if (o + t[i].n + 2 > len)
			return false;
		if (o)
			dst[o++] = ' ';
		memcpy(dst + o, t[i].s, t[i].n);
		o += t[i].n;
	}
	dst[o] = '\0';
	return true;
}

/* A type is more than qualifiers and does not end in a bare tag word. */
static bool type_ok(const struct tok *t, size_t a, size_t b)
{
	bool base = false;

	if (a >= b)
		return false;
	for (size_t i = a; i < b; i++)
		base |= !is_qualifier(&t[i]) && !tok_is(&t[i], "*");
	return base && !tok_is(&t[b - 1], "struct") &&
	       !tok_is(&t[b - 1], "union") && !tok_is(&t[b - 1], "enum");
}

static int param_error(struct fk_diag *d, const struct tok *at, const char *fn,
		       uint32_t i, const char *what)
{
	fk_diag_error(d, &at->pos, "parameter %u of '%s': %s", i + 1, fn, what);
	return -1;
}

static int parse_param(struct fk_export_fn *f, const struct tok *t, size_t a,
		       size_t b, struct fk_diag *d)
{
	uint32_t i = f->param_count;
	struct fk_export_param *p = &f->params[i];

	for (size_t k = a; k < b; k++) {
		if (tok_is(&t[k], "..."))
			return param_error(d, &t[k], f->name, i,
					   "variadic functions cannot go "
					   "through a table: pass a "
					   "pointer to the arguments");
		if (tok_is(&t[k], "["))
			return param_error(d, &t[k], f->name, i,
					   "an array: write it as a pointer");
		if (t[k].kind != T_WORD && !tok_is(&t[k], "*"))
			return param_error(d, &t[k], f->name, i,
					   "not a type and a name");
	}
	if (a >= b || t[b - 1].kind != T_WORD || is_type_word(&t[b - 1]) ||
	    !type_ok(t, a, b - 1))
		return param_error(d, a < b ? &t[a] : &t[a - 1], f->name, i,
				   "no name: name every parameter (the "
				   "app's wrapper passes it on)");
	if (i == FK_EXPORTS_MAX_PARAMS)
		return param_error(d, &t[a], f->name, i,
				   "more than 16 parameters: pass a struct "
				   "pointer");
	if (!join_type(p->type, sizeof(p->type), t, a, b - 1) ||
	    !tok_copy(p->name, sizeof(p->name), &t[b - 1]))
		return param_error(d, &t[a], f->name, i, "too long");
	f->param_count++;
	return 0;
}

static int normalize(struct fk_export_fn *f, struct fk_diag *d)
{
	size_t len = strlen(f->ret) + strlen(f->name) + 8;
	size_t o;

	for (uint32_t i = 0; i < f->param_count; i++)
		len += strlen(f->params[i].type) + 2;
	f->normalized = malloc(len);
	if (!f->normalized)
		return fk_fail_nomem(d);
	o = (size_t)sprintf(f->normalized, "%s %s(", f->ret, f->name);
	for (uint32_t i = 0; i < f->param_count; i++)
		o += (size_t)sprintf(f->normalized + o, "%s%s", i ? ", " : "",
				     f->params[i].type);
	sprintf(f->normalized + o, "%s)", f->param_count ? "" : "void");
	return 0;
}

/* The prototype in s (extern dropped): fills f. */
static int parse_prototype(const struct stmt *s, size_t first,
			   struct fk_export_fn *f, struct fk_diag *d)
{
	const struct tok *t = s->t;
	size_t open = first, close, a;

	while (open < s->n && !tok_is(&t[open], "("))
		open++;
	if (open == first || open + 1 >= s->n || t[open - 1].kind != T_WORD ||
	    is_type_word(&t[open - 1])) {
		fk_diag_error(d, &t[first].pos,
			      "not a prototype: write RET NAME(TYPE NAME, "
			      "...);");
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->pos = t[first].pos;
	if (!tok_copy(f->name, sizeof(f->name), &t[open - 1]) ||
	    !type_ok(t, first, open - 1) ||
	    !join_type(f->ret, sizeof(f->ret), t, first, open - 1)) {
		fk_diag_error(d, &t[first].pos,
			      "the return type of this prototype is not a "
			      "type (words and '*'), or is too long");
		return -1;
	}
	for (close = open + 1; close < s->n && !tok_is(&t[close], ")");
	     close++) {
		if (tok_is(&t[close], "(")) {
			fk_diag_error(d, &t[close].pos,
				      "'%s' takes a function pointer or has "
				      "nested parentheses: name the type "
				      "with a typedef in a header",
				      f->name);
			return -1;
		}
	}
	if (close >= s->n || close + 1 != s->n) {
		fk_diag_error(d, &t[close < s->n ? close : open].pos,
			      "'%s': nothing may follow the parameter list "
			      "but ';'",
			      f->name);
		return -1;
	}
	if (close == open + 2 && tok_is(&t[open + 1], "void"))
		return normalize(f, d);
	for (a = open + 1; a <= close; a++) {
		size_t b = a;

		while (b < close && !tok_is(&t[b], ","))
			b++;
		if (parse_param(f, t, a, b, d))
			return -1;
		a = b;
	}
	return normalize(f, d);
}

/* ---- statements and directives ---------------------------------------- */

enum mode { EXPORTS, HEADER };

struct parser {
	struct lexer lx;
	struct fk_exports *ex;
	enum mode mode;
	uint32_t extern_c; /* open extern "C" { */
	bool nomem;
	uint32_t over_max; /* functions past FK_EXPORTS_MAX_FNS */
};

static bool has_word(const struct stmt *s, const char *w)
{
	for (size_t i = 0; i < s->n; i++)
		if (tok_is(&s->t[i], w))
			return true;
	return false;
}

static bool has_paren(const struct stmt *s)
{
	return has_word(s, "(");
}

static int add_fn(struct parser *ps, const struct stmt *s, size_t first)
{
	struct fk_exports *ex = ps->ex;
	struct fk_export_fn f, *grown;

	if (parse_prototype(s, first, &f, ps->lx.diag))
		return -1;
	for (uint32_t i = 0; i < ex->count; i++) {
		if (!strcmp(ex->fns[i].name, f.name)) {
			fk_diag_error(ps->lx.diag, &f.pos,
				      "'%s' is exported twice (first at line "
				      "%u)",
				      f.name, ex->fns[i].pos.line);
			free(f.normalized);
			return -1;
		}
	}
	/* said once, at the first function too many */
	if (ex->count == FK_EXPORTS_MAX_FNS) {
		if (!ps->over_max++)
			fk_diag_error(ps->lx.diag, &f.pos,
				      "more than %u functions in one module: "
				      "split it in two",
				      FK_EXPORTS_MAX_FNS);
		free(f.normalized);
		return -1;
	}
	grown = realloc(ex->fns, (ex->count + 1) * sizeof(*grown));
	if (!grown) {
		free(f.normalized);
		ps->nomem = true;
		return fk_fail_nomem(ps->lx.diag);
	}
	ex->fns = grown;
	ex->fns[ex->count++] = f;
	return 0;
}

static int statement(struct parser *ps, struct stmt *s)
{
	struct fk_diag *d = ps->lx.diag;
	size_t first = 0;

	if (!s->n)
		return 0;
	if (s->overflow) {
		fk_diag_error(d, &s->t[0].pos,
			      "declaration too long (more than %d tokens)",
			      STMT_MAX);
		return -1;
	}
	if (ps->mode == HEADER &&
	    (s->has_body || !has_paren(s) || tok_is(&s->t[0], "typedef") ||
	     has_word(s, "static") || has_word(s, "inline")))
		return 0;
	if (s->has_body || tok_is(&s->t[0], "typedef") ||
	    has_word(s, "static") || has_word(s, "inline")) {
		fk_diag_error(d, &s->t[0].pos,
			      "only prototypes go here: put types and "
			      "inline functions in a header and name it "
			      "with `header \"FILE\"`");
		return -1;
	}
	if (tok_is(&s->t[0], "extern"))
		first = 1;
	if (first >= s->n)
		return 0;
	return add_fn(ps, s, first);
}

/* Tokens of the rest of the line the directive at t starts. */
static size_t directive_args(struct parser *ps, const struct tok *t,
			     struct tok *args, size_t max)
{
	size_t n = 0;

	for (;;) {
		const char *save_p = ps->lx.p;
		struct fk_pos save_pos = ps->lx.pos;
		bool save_ls = ps->lx.line_start;
		bool ls;
		struct tok a = next(&ps->lx, &ls);

		if (a.kind == T_END || ls || a.pos.line != t->pos.line) {
			ps->lx.p = save_p;
			ps->lx.pos = save_pos;
			ps->lx.line_start = save_ls;
			return n;
		}
		if (n < max)
			args[n] = a;
		n++;
	}
}

static int dir_module(struct parser *ps, const struct tok *t,
		      const struct tok *a, size_t n)
{
	struct fk_exports *ex = ps->ex;
	size_t o = 0;

	if (ex->name[0]) {
		fk_diag_error(ps->lx.diag, &t->pos,
			      "second `module` line (the first is line %u)",
			      ex->pos_name.line);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		bool ok = a[i].kind == T_WORD || a[i].kind == T_NUMBER ||
			  tok_is(&a[i], "-") || tok_is(&a[i], ".");

		if (!ok || o + a[i].n >= sizeof(ex->name) ||
		    (i && a[i].s != a[i - 1].s + a[i - 1].n)) {
			fk_diag_error(ps->lx.diag, &a[i].pos,
				      "module name: letters, digits, '_', "
				      "'-' and '.' only, as in the layout's "
				      "modules:");
			return -1;
		}
		memcpy(ex->name + o, a[i].s, a[i].n);
		o += a[i].n;
	}
	if (!o) {
		fk_diag_error(ps->lx.diag, &t->pos,
			      "`module` needs the module's name");
		return -1;
	}
	ex->name[o] = '\0';
	ex->pos_name = t->pos;
	return 0;
}

static int dir_api(struct parser *ps, const struct tok *t, const struct tok *a,
		   size_t n)
{
	uint32_t v = 0;

	if (ps->ex->api) {
		fk_diag_error(ps->lx.diag, &t->pos, "second `api` line");
		return -1;
	}
	if (n != 1 || a[0].kind != T_NUMBER)
		goto bad;
	for (size_t i = 0; i < a[0].n; i++) {
		if (a[0].s[i] < '0' || a[0].s[i] > '9' ||
		    v > FK_EXPORTS_API_MAX)
			goto bad;
		v = v * 10 + (uint32_t)(a[0].s[i] - '0');
	}
	if (v < 1 || v > FK_EXPORTS_API_MAX)
		goto bad;
	ps->ex->api = v;
	ps->ex->pos_api = t->pos;
	return 0;
bad:
	fk_diag_error(ps->lx.diag, n ? &a[0].pos : &t->pos,
		      "`api` takes a decimal number from 1 to %u",
		      FK_EXPORTS_API_MAX);
	return -1;
}

static int dir_file(struct parser *ps, const struct tok *t, const struct tok *a,
		    size_t n)
{
	struct fk_exports *ex = ps->ex;
	bool from = tok_is(t, "from");
	char *dst;

	if (n != 1 || a[0].kind != T_STRING || !a[0].n ||
	    a[0].n >= FK_EXPORTS_PATH_MAX || memchr(a[0].s, '\\', a[0].n)) {
		fk_diag_error(ps->lx.diag, &t->pos,
			      "`%.*s` takes one file name in double quotes",
			      (int)t->n, t->s);
		return -1;
	}
	if (from && ex->from[0]) {
		fk_diag_error(ps->lx.diag, &t->pos, "second `from` line");
		return -1;
	}
	if (!from && ex->header_count == FK_EXPORTS_MAX_HEADERS) {
		fk_diag_error(ps->lx.diag, &t->pos,
			      "more than %d `header` lines: gather them in "
			      "one header",
			      FK_EXPORTS_MAX_HEADERS);
		return -1;
	}
	dst = from ? ex->from : ex->headers[ex->header_count++];
	tok_copy(dst, FK_EXPORTS_PATH_MAX, &a[0]);
	if (from)
		ex->pos_from = t->pos;
	return 0;
}

/* A directive at the start of a line, in an exports file: returns 1 when
 * t was one (handled), 0 when not, -1 on error. */
static int directive(struct parser *ps, const struct tok *t)
{
	struct tok a[FK_EXPORTS_NAME_MAX];
	size_t n;

	if (ps->mode != EXPORTS || t->kind != T_WORD ||
	    !(tok_is(t, "module") || tok_is(t, "api") || tok_is(t, "header") ||
	      tok_is(t, "from")))
		return 0;
	n = directive_args(ps, t, a, FK_EXPORTS_NAME_MAX);
	if (n > FK_EXPORTS_NAME_MAX) {
		fk_diag_error(ps->lx.diag, &t->pos, "line too long");
		return -1;
	}
	if (tok_is(t, "module"))
		return dir_module(ps, t, a, n) ? -1 : 1;
	if (tok_is(t, "api"))
		return dir_api(ps, t, a, n) ? -1 : 1;
	return dir_file(ps, t, a, n) ? -1 : 1;
}

static void push(struct stmt *s, const struct tok *t)
{
	if (s->n < STMT_MAX)
		s->t[s->n++] = *t;
	else
		s->overflow = true;
}

/* Skips a balanced {...} (the '{' already read); false at end of file. */
static bool skip_block(struct parser *ps)
{
	uint32_t depth = 1;

	while (depth) {
		struct tok t = next(&ps->lx, NULL);

		if (t.kind == T_END)
			return false;
		if (tok_is(&t, "{"))
			depth++;
		else if (tok_is(&t, "}"))
			depth--;
	}
	return true;
}

/* Skips __attribute__((...)): the word already read. */
static void skip_attribute(struct parser *ps)
{
	uint32_t depth = 0;

	do {
		struct tok t = next(&ps->lx, NULL);

		if (t.kind == T_END)
			return;
		if (tok_is(&t, "("))
			depth++;
		else if (tok_is(&t, ")"))
			depth--;
	} while (depth);
}

static int brace(struct parser *ps, struct stmt *s, const struct tok *t)
{
	if (s->n == 2 && tok_is(&s->t[0], "extern") &&
	    s->t[1].kind == T_STRING) {
		ps->extern_c++;
		s->n = 0;
		return 0;
	}
	if (!skip_block(ps)) {
		fk_diag_error(ps->lx.diag, &t->pos,
			      "'{' not closed before the end of the file");
		return -1;
	}
	s->has_body = true;
	/* a function's body ends its definition; a struct's does not */
	if (has_paren(s)) {
		int rc = statement(ps, s);

		s->n = 0;
		s->has_body = false;
		return rc;
	}
	return 0;
}

static int run(struct parser *ps)
{
	static struct stmt s; /* large; the parser is not reentrant */
	int rc = 0;

	s.n = 0;
	s.has_body = s.overflow = false;
	for (;;) {
		bool ls;
		struct tok t = next(&ps->lx, &ls);
		int r;

		if (ps->nomem)
			return -1;
		if (t.kind == T_END)
			break;
		if (!s.n && ls) {
			r = directive(ps, &t);
			if (r) {
				rc |= r < 0;
				continue;
			}
		}
		if (tok_is(&t, "__attribute__") || tok_is(&t, "__declspec")) {
			skip_attribute(ps);
		} else if (tok_is(&t, ";")) {
			rc |= statement(ps, &s) != 0;
			s.n = 0;
			s.has_body = s.overflow = false;
		} else if (tok_is(&t, "{")) {
			rc |= brace(ps, &s, &t) != 0;
		} else if (tok_is(&t, "}") && ps->extern_c && !s.n) {
			ps->extern_c--;
		} else {
			push(&s, &t);
		}
	}
	if (s.n) {
		fk_diag_error(ps->lx.diag, &s.t[0].pos,
			      "declaration without ';' at the end of the "
			      "file");
		rc = 1;
	}
	return rc || ps->lx.errors ? -1 : 0;
}

static void lexer_init(struct lexer *lx, const char *path, const char *text,
		       size_t len, struct fk_diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = text;
	lx->end = text + len;
	lx->pos.file = path;
	lx->pos.line = 1;
	lx->pos.col = 1;
	lx->line_start = true;
	lx->diag = diag;
}

static void finish(struct fk_exports *ex)
{
	uint32_t h;

	ex->id = fk_module_id(ex->name);
	h = fk_module_hash_seed(ex->id, ex->api);
	for (uint32_t i = 0; i < ex->count; i++) {
		h = fk_module_hash_next(h, ex->fns[i].normalized);
		ex->fns[i].hash = h;
	}
}

int fk_exports_parse(const char *path, const char *text, size_t len,
		     struct fk_exports *out, struct fk_diag *diag)
{
	struct parser ps;
	struct fk_pos top = { path, 0, 0 };

	memset(out, 0, sizeof(*out));
	out->path = strdup(path);
	if (!out->path)
		return fk_fail_nomem(diag);
	memset(&ps, 0, sizeof(ps));
	lexer_init(&ps.lx, out->path, text, len, diag);
	ps.ex = out;
	ps.mode = EXPORTS;
	top.file = out->path;
	if (run(&ps) == 0) {
		if (!out->name[0])
			fk_diag_error(diag, &top,
				      "no `module NAME` line: name the "
				      "layout's module");
		if (!out->api)
			fk_diag_error(diag, &top,
				      "no `api N` line: start with api 1");
		if (out->from[0] && out->count)
			fk_diag_error(diag, &out->pos_from,
				      "prototypes here and `from` a header: "
				      "list them in one place");
		else if (!out->from[0] && !out->count)
			fk_diag_error(diag, &top,
				      "no prototypes: list the functions, or "
				      "`from \"FILE\"` to take them from a "
				      "header");
		if (out->name[0] && out->api && !(out->from[0] && out->count) &&
		    (out->from[0] || out->count)) {
			finish(out);
			return 0;
		}
	}
	fk_exports_free(out);
	return -1;
}

int fk_exports_add_header(struct fk_exports *ex, const char *path,
			  const char *text, size_t len, struct fk_diag *diag)
{
	struct parser ps;

	free(ex->from_path);
	ex->from_path = strdup(path);
	if (!ex->from_path)
		return fk_fail_nomem(diag);
	memset(&ps, 0, sizeof(ps));
	lexer_init(&ps.lx, ex->from_path, text, len, diag);
	ps.ex = ex;
	ps.mode = HEADER;
	if (run(&ps))
		return -1;
	if (!ex->count)
		return fk_fail(diag,
			       "%s: no function prototypes in it to export",
			       path);
	finish(ex);
	return 0;
}

void fk_exports_free(struct fk_exports *ex)
{
	for (uint32_t i = 0; i < ex->count; i++)
		free(ex->fns[i].normalized);
	free(ex->fns);
	free(ex->path);
	free(ex->from_path);
	memset(ex, 0, sizeof(*ex));
}
