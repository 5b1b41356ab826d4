/* Memory handed to helpers: local dynptrs over map values and the slices taken from them (a slice
 * copied to another register dies with its dynptr all the same), zero-sized helper accesses (the
 * pointer is still checked), and the stack shared by a timer callback's call chain. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, __u64); } vals SEC(".maps");

struct tval { struct bpf_timer t; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, int); __type(value, struct tval); } timers SEC(".maps");

static __always_inline int val_dynptr(struct bpf_dynptr *d)
{
	int k = 0;
	__u64 *v = bpf_map_lookup_elem(&vals, &k);

	if (!v)
		return -1;
	return bpf_dynptr_from_mem(v, sizeof(*v), 0, d);
}

SEC("raw_tp") __success
int dynptr_map_slice(void *ctx)
{
	struct bpf_dynptr d;
	__u8 *p;

	if (val_dynptr(&d))
		return 0;
	p = bpf_dynptr_data(&d, 0, 1);
	if (!p)
		return 0;
	return *p;
}

/* a dynptr over the stack is refused: only map values back a local dynptr */
SEC("raw_tp") __failure __msg("Unsupported reg type fp for bpf_dynptr_from_mem data")
int dynptr_over_stack(void *ctx)
{
	struct bpf_dynptr d;
	__u64 x = 0;

	bpf_dynptr_from_mem(&x, sizeof(x), 0, &d);
	return 0;
}

/* re-creating the dynptr in place kills the slice, even in the register it was copied to */
SEC("raw_tp") __failure __msg("invalid mem access 'scalar'")
int dynptr_slice_after_reinit(void *ctx)
{
	struct bpf_dynptr d;
	__u8 *p;

	if (val_dynptr(&d))
		return 0;
	p = bpf_dynptr_data(&d, 0, 1);
	if (!p)
		return 0;
	if (val_dynptr(&d))
		return 0;
	return *p;
}

/* overwriting a byte of the dynptr destroys it and its slices */
SEC("raw_tp") __failure __msg("invalid mem access 'scalar'")
int dynptr_slice_after_clobber(void *ctx)
{
	struct bpf_dynptr d;
	__u8 *p;

	if (val_dynptr(&d))
		return 0;
	p = bpf_dynptr_data(&d, 0, 1);
	if (!p)
		return 0;
	*(volatile __u8 *)&d = 0;
	return *p;
}

/* a zero size with a NULL-able memory argument: a valid map value pointer is fine */
SEC("tc") __success
int zero_size_map_value(struct __sk_buff *skb)
{
	int k = 0;
	__u64 *v = bpf_map_lookup_elem(&vals, &k);

	if (!v)
		return 0;
	return bpf_csum_diff((__be32 *)v, 0, 0, 0, 0) & 1;
}

/* a zero size does not excuse a stack pointer that may point above the frame */
SEC("socket") __failure __msg("invalid variable-offset write to stack R1")
__naked void zero_size_stack_out_of_frame(void)
{
	asm volatile ("					\
	r0 = 0;						\
	*(u64*)(r10 - 16) = r0;				\
	*(u64*)(r10 - 8) = r0;				\
	r1 = *(u32*)(r1 + 0);				\
	r1 &= 31;					\
	r1 += -16;					\
	r1 += r10;					\
	r2 = 0;						\
	r3 = 0;						\
	call %[bpf_probe_read_kernel];			\
	r0 = 0;						\
	exit;						\
"	:
	: __imm(bpf_probe_read_kernel)
	: __clobber_all);
}

/* the same with the whole range inside the frame */
SEC("socket") __success
__naked void zero_size_stack_in_frame(void)
{
	asm volatile ("					\
	r0 = 0;						\
	*(u64*)(r10 - 16) = r0;				\
	*(u64*)(r10 - 8) = r0;				\
	r1 = *(u32*)(r1 + 0);				\
	r1 &= 7;					\
	r1 += -16;					\
	r1 += r10;					\
	r2 = 0;						\
	r3 = 0;						\
	call %[bpf_probe_read_kernel];			\
	r0 = 0;						\
	exit;						\
"	:
	: __imm(bpf_probe_read_kernel)
	: __clobber_all);
}

static __noinline int small_leaf(void *map, int *key, struct bpf_timer *t)
{
	volatile char buf[240] = {};

	return buf[7];
}

static __noinline int big_timer_cb(void *map, int *key, struct bpf_timer *t)
{
	volatile char buf[320] = {};

	return buf[100] + small_leaf(0, 0, 0);
}

static __noinline int small_timer_cb(void *map, int *key, struct bpf_timer *t)
{
	volatile char buf[64] = {};

	return buf[3] + small_leaf(0, 0, 0);
}

/* a timer callback starts a call chain of its own: 320 + 240 bytes do not fit in 512 */
SEC("tc") __failure __msg("combined stack size of 2 calls is")
int timer_cb_chain_too_deep(struct __sk_buff *skb)
{
	int k = 0;
	struct tval *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 0;
	return bpf_timer_set_callback(&e->t, big_timer_cb) & 1;
}

/* the callback's chain fits; the caller's 256 bytes do not count for it */
SEC("tc") __success
int timer_cb_chain_fits(struct __sk_buff *skb)
{
	int k = 0;
	volatile char buf[256] = {};
	struct tval *e = bpf_map_lookup_elem(&timers, &k);

	if (!e)
		return 0;
	return (bpf_timer_set_callback(&e->t, small_timer_cb) + buf[0]) & 1;
}

char _license[] SEC("license") = "GPL";
