#ifndef H
#define H
extern "C" {
typedef struct v { int x; } v_t;
static inline int t(int v) { return v; }
int f(v_t *p, int k) __attribute__((nonnull));
}
#endif
