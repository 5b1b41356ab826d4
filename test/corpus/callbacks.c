/* Callbacks: bpf_loop and bpf_for_each_map_elem call a static function the verifier checks as a
 * subprogram with typed arguments and a return value in [0, 1]. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, int); __type(value, long); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, long); } hash SEC(".maps");

struct loop_ctx { long sum; int limit; };

static int add_cb(__u32 i, struct loop_ctx *c)
{
	c->sum += i;
	return c->sum > c->limit;
}

SEC("socket") __success
int cb_loop_ok(void *ctx)
{
	struct loop_ctx c = { .limit = 1000 };
	bpf_loop(100, add_cb, &c, 0);
	return c.sum & 1;
}

SEC("socket") __success
int cb_loop_large_count(void *ctx)
{
	struct loop_ctx c = { .limit = 1 << 30 };
	bpf_loop(1 << 20, add_cb, &c, 0);
	return 0;
}

static int bad_ret_cb(__u32 i, void *c)
{
	return 2;
}

SEC("socket") __failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
int cb_loop_bad_return(void *ctx)
{
	bpf_loop(10, bad_ret_cb, 0, 0);
	return 0;
}

static int deref_cb(__u32 i, long *p)
{
	return *p & 1;
}

SEC("socket") __failure __msg("R2 invalid mem access 'scalar'") int cb_loop_null_ctx_deref(void *ctx)
{
	bpf_loop(10, deref_cb, 0, 0);
	return 0;
}

SEC("socket") __success
int cb_loop_stack_ctx(void *ctx)
{
	long v = 3;
	bpf_loop(10, deref_cb, &v, 0);
	return 0;
}

SEC("socket") __failure __msg("R4 !read_ok")
__naked void cb_loop_flags_uninit(void)
{
	asm volatile ("r1 = 4; r2 = %[cb] ll; r3 = 0; call %[bpf_loop]; r0 = 0; exit;"
		      :: __imm(bpf_loop), [cb] "i"(bad_ret_cb) : __clobber_all);
}

SEC("socket") __failure __msg("R2 type=scalar expected=func")
__naked void cb_loop_scalar_callback(void)
{
	asm volatile ("r1 = 4; r2 = 0; r3 = 0; r4 = 0; call %[bpf_loop]; r0 = 0; exit;" :: __imm(bpf_loop) : __clobber_all);
}

static long each_cb(void *map, int *key, long *val, long *acc)
{
	*acc += *val;
	return 0;
}

SEC("socket") __success
int cb_for_each_array(void *ctx)
{
	long acc = 0;
	bpf_for_each_map_elem(&arr, each_cb, &acc, 0);
	return acc & 1;
}

SEC("socket") __success
int cb_for_each_hash(void *ctx)
{
	long acc = 0;
	bpf_for_each_map_elem(&hash, each_cb, &acc, 0);
	return acc & 1;
}

static long each_write_key_cb(void *map, int *key, long *val, void *c)
{
	*key = 1;
	return 0;
}

SEC("socket") __failure __msg("write to change key R2 not allowed") int cb_for_each_write_key(void *ctx)
{
	bpf_for_each_map_elem(&arr, each_write_key_cb, 0, 0);
	return 0;
}

static long each_past_value_cb(void *map, int *key, long *val, void *c)
{
	return val[1] & 1;
}

SEC("socket") __failure __msg("R3 min value is outside of the allowed memory range") int cb_for_each_past_value(void *ctx)
{
	bpf_for_each_map_elem(&arr, each_past_value_cb, 0, 0);
	return 0;
}

static long each_ret2_cb(void *map, int *key, long *val, void *c)
{
	return 2;
}

SEC("socket") __failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
int cb_for_each_bad_return(void *ctx)
{
	bpf_for_each_map_elem(&arr, each_ret2_cb, 0, 0);
	return 0;
}

static int nested_cb(__u32 i, struct loop_ctx *c)
{
	bpf_loop(4, add_cb, c, 0);
	return 0;
}

SEC("socket") __success
int cb_loop_nested(void *ctx)
{
	struct loop_ctx c = { .limit = 1 << 20 };
	bpf_loop(4, nested_cb, &c, 0);
	return c.sum & 1;
}

static int index_cb(__u32 i, char *buf)
{
	buf[i] = 1;
	return 0;
}

SEC("socket") __failure __msg("invalid unbounded variable-offset write to stack R2") int cb_loop_index_unbounded(void *ctx)
{
	char buf[16] = {};
	bpf_loop(16, index_cb, buf, 0);
	return buf[3];
}

static int index_masked_cb(__u32 i, char *buf)
{
	buf[i & 15] = 1;
	return 0;
}

SEC("socket") __success
int cb_loop_index_masked(void *ctx)
{
	char buf[16] = {};
	bpf_loop(16, index_masked_cb, buf, 0);
	return buf[3];
}

/* bpf_loop declares the index u32, but the kernel hands the callback an unbounded 64-bit scalar:
 * its upper half is not known to be zero, so this index is unbounded (0..U32_MAX). */
static int index_hi_cb(__u64 i, char *buf)
{
	buf[i >> 32] = 1;
	return 0;
}

SEC("socket") __failure __msg("invalid unbounded variable-offset write to stack R2")
int cb_loop_index_upper_half(void *ctx)
{
	char buf[16] = {};
	bpf_loop(16, (void *)index_hi_cb, buf, 0);
	return buf[3];
}

char _license[] SEC("license") = "GPL";
