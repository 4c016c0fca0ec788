/*
 * Building the node tree (yaml_reader.h) from libyaml's events. The
 * events come one at a time and the tree is built on an explicit stack,
 * so a file nested deeper than FK_YAML_MAX_DEPTH is refused as soon as
 * the parser reaches that depth: the work stays linear in what was read.
 * The getters live in yaml_get.c.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "flashkit/error.h"
#include "yaml/yaml_reader.h"

struct builder {
	struct fk_yaml *y;
	yaml_parser_t parser;
	struct fk_ynode *stack[FK_YAML_MAX_DEPTH];
	size_t depth;
	size_t caps[FK_YAML_MAX_DEPTH];	     /* room in each open node's kids */
	bool key_waiting[FK_YAML_MAX_DEPTH]; /* open mapping has a key
					      * with no value yet */
	int documents;
	int rc;
	/* fk_yaml_read_aliases(): anchors seen so far, and how many nodes
	 * aliases have copied (bounded, against "billion laughs") */
	bool aliases;
	struct anchor {
		char *name;
		struct fk_ynode *node;
	} * anchors;
	size_t anchor_count, anchor_cap, copied;
	struct fk_ynode *last; /* the node the last event made */
};

/* Nodes aliases may copy in one file: pm_static.yml needs a few dozen. */
#define FK_YAML_MAX_ALIAS_NODES 100000

static struct fk_pos mark_pos(struct builder *b, yaml_mark_t mark)
{
	struct fk_pos p = { b->y->file, (uint32_t)mark.line + 1,
			    (uint32_t)mark.column + 1 };

	return p;
}

static void free_node(struct fk_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0;
	     i < (n->type == FK_YAML_MAP ? 2 * n->count : n->count); i++)
		free_node(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

/* Hangs n under the open node (or as the root); 0 or FK_ENOSPC. A
 * mapping's kids fill key, value, key, value...: it counts a pair once
 * the value arrives. */
static int attach(struct builder *b, struct fk_ynode *n)
{
	struct fk_ynode *parent;
	size_t used, top = b->depth - 1;

	if (!b->depth) {
		free_node(b->y->root);
		b->y->root = n;
		return 0;
	}
	parent = b->stack[top];
	used = parent->type == FK_YAML_MAP ?
		       2 * parent->count + b->key_waiting[top] :
		       parent->count;
	if (used == b->caps[top]) {
		size_t ncap = used ? 2 * used : 4;
		struct fk_ynode **kids =
			realloc(parent->kids, ncap * sizeof(*kids));

		if (!kids)
			return FK_ENOSPC;
		parent->kids = kids;
		b->caps[top] = ncap;
	}
	parent->kids[used] = n;
	if (parent->type == FK_YAML_MAP)
		b->key_waiting[top] = !b->key_waiting[top];
	if (parent->type != FK_YAML_MAP || !b->key_waiting[top])
		parent->count++;
	return 0;
}

/* After an error: the keys still waiting for a value are in no count.
 * Deepest first: a waiting key may itself be an open node (a mapping used
 * as a key), which freeing a shallower key would release. */
static void drop_waiting_keys(struct builder *b)
{
	for (size_t d = b->depth; d-- > 0;) {
		if (b->key_waiting[d]) {
			free_node(b->stack[d]->kids[2 * b->stack[d]->count]);
			b->key_waiting[d] = false;
		}
	}
}

static struct fk_ynode *new_node(struct builder *b, enum fk_ynode_type type,
				 yaml_mark_t mark)
{
	struct fk_ynode *n = calloc(1, sizeof(*n));

	if (n) {
		n->type = type;
		n->pos = mark_pos(b, mark);
	}
	return n;
}

static bool has_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.anchor != NULL;
	case YAML_SEQUENCE_START_EVENT:
		return ev->data.sequence_start.anchor != NULL;
	case YAML_MAPPING_START_EVENT:
		return ev->data.mapping_start.anchor != NULL;
	case YAML_ALIAS_EVENT:
		return true;
	default:
		return false;
	}
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct fk_ynode *n = new_node(b, FK_YAML_SCALAR, ev->start_mark);
	size_t len = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.length : 0;
	int rc;

	if (!n)
		return FK_ENOSPC;
	n->text = malloc(len + 1);
	if (!n->text) {
		free(n);
		return FK_ENOSPC;
	}
	if (len)
		memcpy(n->text, ev->data.scalar.value, len);
	n->text[len] = '\0';
	n->len = len;
	n->plain_one_line = ev->type == YAML_SCALAR_EVENT &&
			    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			    ev->start_mark.line == ev->end_mark.line;
	if (memchr(n->text, '\0', len)) {
		n->len = strlen(n->text);
		fk_diag_error(b->y->diag, &n->pos,
			      "'%s\\u0000...' holds a NUL "
			      "character; names and values are text without "
			      "NUL (write the bytes another way, e.g. hex)",
			      n->text);
	}
	rc = attach(b, n);
	if (rc)
		free_node(n);
	else
		b->last = n;
	return rc;
}

static int on_open(struct builder *b, const yaml_event_t *ev,
		   enum fk_ynode_type type)
{
	struct fk_ynode *n;
	struct fk_pos p = mark_pos(b, ev->start_mark);
	int rc;

	if (b->depth == FK_YAML_MAX_DEPTH) {
		fk_diag_error(b->y->diag, &p,
			      "the file nests lists and "
			      "mappings deeper than %d levels; flashkit's "
			      "files need a handful: flatten it",
			      FK_YAML_MAX_DEPTH);
		return FK_EINVAL;
	}
	n = new_node(b, type, ev->start_mark);
	if (!n)
		return FK_ENOSPC;
	rc = attach(b, n);
	if (rc) {
		free(n);
		return rc;
	}
	b->caps[b->depth] = 0;
	b->key_waiting[b->depth] = false;
	b->stack[b->depth++] = n;
	b->last = n;
	return 0;
}

/* A deep copy of n (its kids so far when it is still open), counted
 * against the alias budget; NULL when out of memory or over budget. */
static struct fk_ynode *copy_node(struct builder *b, const struct fk_ynode *n)
{
	size_t kids = n->type == FK_YAML_MAP ? 2 * n->count : n->count;
	struct fk_ynode *c;

	if (++b->copied > FK_YAML_MAX_ALIAS_NODES)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	*c = *n;
	c->kids = NULL;
	c->text = NULL;
	if (n->text && !(c->text = strdup(n->text)))
		goto fail;
	if (kids && !(c->kids = calloc(kids, sizeof(*c->kids))))
		goto fail;
	for (size_t i = 0; i < kids; i++)
		if (!(c->kids[i] = copy_node(b, n->kids[i])))
			goto fail;
	return c;
fail:
	c->count = 0;
	for (size_t i = 0; c->kids && i < kids; i++)
		free_node(c->kids[i]);
	free(c->kids);
	free(c->text);
	free(c);
	return NULL;
}

static const char *anchor_of(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/* Remembers the node the event made under its anchor name. */
static int remember_anchor(struct builder *b, const char *name)
{
	if (b->anchor_count == b->anchor_cap) {
		size_t ncap = b->anchor_cap ? 2 * b->anchor_cap : 8;
		struct anchor *a =
			realloc(b->anchors, ncap * sizeof(*b->anchors));

		if (!a)
			return FK_ENOSPC;
		b->anchors = a;
		b->anchor_cap = ncap;
	}
	b->anchors[b->anchor_count].name = strdup(name);
	if (!b->anchors[b->anchor_count].name)
		return FK_ENOSPC;
	b->anchors[b->anchor_count++].node = b->last;
	return 0;
}

/* An alias: a copy of the latest node with that anchor. */
static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct fk_pos p = mark_pos(b, ev->start_mark);
	struct fk_ynode *c;
	int rc;

	for (size_t i = b->anchor_count; i-- > 0;) {
		if (strcmp(b->anchors[i].name, name))
			continue;
		c = copy_node(b, b->anchors[i].node);
		if (!c && b->copied > FK_YAML_MAX_ALIAS_NODES) {
			fk_diag_error(b->y->diag, &p,
				      "aliases expand to more than %d nodes; "
				      "write the values out",
				      FK_YAML_MAX_ALIAS_NODES);
			return FK_EINVAL;
		}
		if (!c)
			return FK_ENOSPC;
		c->pos = p;
		rc = attach(b, c);
		if (rc)
			free_node(c);
		return rc;
	}
	fk_diag_error(b->y->diag, &p, "alias '*%s' names no anchor before it",
		      name);
	return FK_EINVAL;
}

static int on_event_node(struct builder *b, const yaml_event_t *ev,
			 struct fk_pos p);

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	struct fk_pos p = mark_pos(b, ev->start_mark);

	int rc;

	if (has_anchor(ev) && !b->aliases)
		fk_diag_error(b->y->diag, &p,
			      "anchors and aliases (&name, "
			      "*name) are not supported; write the value out");
	if (b->aliases && ev->type == YAML_ALIAS_EVENT)
		return on_alias(b, ev);
	b->last = NULL;
	rc = on_event_node(b, ev, p);
	if (!rc && b->aliases && b->last && anchor_of(ev))
		rc = remember_anchor(b, anchor_of(ev));
	return rc;
}

static int on_event_node(struct builder *b, const yaml_event_t *ev,
			 struct fk_pos p)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1) {
			fk_diag_error(b->y->diag, &p,
				      "the file holds one YAML "
				      "document; remove the second '---'");
			return FK_EINVAL;
		}
		return 0;
	case YAML_SCALAR_EVENT:
	case YAML_ALIAS_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, FK_YAML_LIST);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, FK_YAML_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return 0;
	default:
		return 0;
	}
}

static void syntax_error(struct builder *b)
{
	yaml_parser_t *ps = &b->parser;
	struct fk_pos p = mark_pos(b, ps->problem_mark);

	if (ps->error == YAML_MEMORY_ERROR) {
		b->rc = FK_ENOSPC;
		return;
	}
	fk_diag_error(b->y->diag, &p, "YAML syntax: %s%s%s",
		      ps->problem ? ps->problem : "error",
		      ps->context ? " " : "", ps->context ? ps->context : "");
	b->rc = FK_EINVAL;
}

static int read_tree(struct fk_yaml *y, const char *file, const char *text,
		     size_t len, struct fk_diag *diag, bool aliases)
{
	struct builder b;
	bool done = false;

	memset(y, 0, sizeof(*y));
	y->file = file;
	y->diag = diag;
	memset(&b, 0, sizeof(b));
	b.y = y;
	b.aliases = aliases;
	if (!yaml_parser_initialize(&b.parser))
		return FK_ENOSPC;
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text,
				     len);
	while (!done && !b.rc) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&b.parser, &ev)) {
			syntax_error(&b);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		b.rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&b.parser);
	for (size_t i = 0; i < b.anchor_count; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	if (b.rc) {
		/* the open nodes hang from the root: one free releases all */
		drop_waiting_keys(&b);
		fk_yaml_free(y);
		y->file = file;
		y->diag = diag;
		if (b.rc == FK_ENOSPC)
			fk_diag_error(y->diag, NULL, "%s: out of memory", file);
	}
	return b.rc;
}

int fk_yaml_read(struct fk_yaml *y, const char *file, const char *text,
		 size_t len, struct fk_diag *diag)
{
	return read_tree(y, file, text, len, diag, false);
}

int fk_yaml_read_aliases(struct fk_yaml *y, const char *file, const char *text,
			 size_t len, struct fk_diag *diag)
{
	return read_tree(y, file, text, len, diag, true);
}

void fk_yaml_free(struct fk_yaml *y)
{
	free_node(y->root);
	memset(y, 0, sizeof(*y));
}
