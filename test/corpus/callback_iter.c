/* Callbacks called an unknown number of times: since 6.8 the verifier re-enters a synchronous
 * callback (bpf_loop, bpf_for_each_map_elem, bpf_find_vma, bpf_user_ringbuf_drain) from its call
 * instruction until the states there converge, so a value the callback changes is seen by the next
 * call. bpf_loop stops after the constant iteration count (callback_depth). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, long); } arr4 SEC(".maps");

struct idx_ctx { long idx; long buf[4]; };

/* first call: idx 0 is in bounds; the second sees idx 4 */
static int step_cb(__u32 i, struct idx_ctx *c)
{
	c->buf[c->idx] = 1;
	c->idx += 4;
	return 0;
}

SEC("socket") __failure __msg("invalid write to stack R3 off=0 size=8")
int cbi_loop_second_call_oob(void *ctx)
{
	struct idx_ctx c = {};
	bpf_loop(2, step_cb, &c, 0);
	return 0;
}

/* once: the callback runs at most one time, so idx is 0 when it writes */
SEC("socket") __success
int cbi_loop_once_ok(void *ctx)
{
	struct idx_ctx c = {};
	bpf_loop(1, step_cb, &c, 0);
	return 0;
}

/* a bounded index the callback keeps in range: accepted however often it runs */
static int wrap_cb(__u32 i, struct idx_ctx *c)
{
	c->buf[c->idx & 3] = i;
	c->idx++;
	return 0;
}

SEC("socket") __success
int cbi_loop_wrapped_ok(void *ctx)
{
	struct idx_ctx c = {};
	bpf_loop(1000, wrap_cb, &c, 0);
	return c.buf[1] & 1;
}

/* the callback drops a pointer it finds in ctx to NULL: the next call dereferences NULL */
struct ptr_ctx { long *p; long v; };

static int ptr_cb(__u32 i, struct ptr_ctx *c)
{
	long *p = c->p;
	if (i == 0x7fffffff)
		return 1;
	*p += 1;
	c->p = 0;
	return 0;
}

SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
int cbi_loop_second_call_null(void *ctx)
{
	struct ptr_ctx c = {};
	c.p = &c.v;
	bpf_loop(8, ptr_cb, &c, 0);
	return 0;
}

/* the same for bpf_for_each_map_elem, whose number of calls is not known */
static long each_step_cb(void *map, int *key, long *val, struct idx_ctx *c)
{
	c->buf[c->idx] = *val;
	c->idx += 4;
	return 0;
}

SEC("socket") __failure __msg("invalid write to stack R2 off=0 size=8")
int cbi_for_each_second_call_oob(void *ctx)
{
	struct idx_ctx c = {};
	bpf_for_each_map_elem(&arr4, each_step_cb, &c, 0);
	return 0;
}

/* a counter the callback increments: widened (not precise), so the repeated calls converge */
struct cnt_ctx { long n; };

static long each_count_cb(void *map, int *key, long *val, struct cnt_ctx *c)
{
	c->n++;
	return 0;
}

SEC("socket") __success
int cbi_for_each_counter_ok(void *ctx)
{
	struct cnt_ctx c = {};
	bpf_for_each_map_elem(&arr4, each_count_cb, &c, 0);
	return c.n & 1;
}

/* the callback's return value stops the walk only at run time: the verifier still checks every call */
static int stop_cb(__u32 i, struct idx_ctx *c)
{
	if (c->idx > 3)
		return 1;
	c->buf[c->idx] = i;
	c->idx++;
	return 0;
}

SEC("socket") __success
int cbi_loop_checked_idx_ok(void *ctx)
{
	struct idx_ctx c = {};
	bpf_loop(100, stop_cb, &c, 0);
	return c.buf[0] & 1;
}

char _license[] SEC("license") = "GPL";
