// Global (non-static) subprograms are verified once, on their BTF prototype: __arg_ctx and
// __arg_nonnull tags, ctx typedefs, memory the callee may write, and the prototypes the kernel
// refuses (void return, untyped pointers).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(u32));
	__uint(value_size, 127 * sizeof(u64));
} stacks SEC(".maps");

struct counters {
	u64 hits;
	u64 misses;
};

const volatile u64 sample_rate = 1;

/* one helper shared by kprobe, raw_tp and perf_event programs: the tag says "this is the ctx" */
__noinline int record_stack(void *ctx __arg_ctx)
{
	return bpf_get_stackid(ctx, &stacks, 0);
}

SEC("kprobe/do_nanosleep")
int kp_stack(struct pt_regs *ctx)
{
	return record_stack(ctx) < 0;
}

SEC("raw_tp/sched_switch")
int rtp_stack(struct bpf_raw_tracepoint_args *ctx)
{
	return record_stack(ctx) < 0;
}

/* a non-NULL tag: the callee may dereference without checking */
__noinline int bump(struct counters *c __arg_nonnull, int hit)
{
	if (hit)
		c->hits++;
	else
		c->misses++;
	return 0;
}

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	struct counters c = {};

	bump(&c, skb->len > 100);
	return c.hits ? TC_ACT_OK : TC_ACT_SHOT;
}

/* without the tag the argument may be NULL: dereferencing it unchecked is refused */
__noinline int bump_unchecked(struct counters *c, int hit)
{
	c->hits += hit;
	return 0;
}

SEC("tc")
int tc_count_unchecked(struct __sk_buff *skb)
{
	struct counters c = {};

	bump_unchecked(&c, 1);
	return c.hits ? TC_ACT_OK : TC_ACT_SHOT;
}

/* the callee writes through its argument: read-only .rodata may not be passed */
__noinline int reset(u64 *v)
{
	if (v)
		*v = 0;
	return 0;
}

SEC("tc")
int tc_reset_rodata(struct __sk_buff *skb)
{
	return reset((u64 *)&sample_rate);
}

/* global functions must return a scalar */
__noinline void mark(struct __sk_buff *skb)
{
	skb->mark = 7;
}

SEC("tc")
int tc_mark_void(struct __sk_buff *skb)
{
	mark(skb);
	return TC_ACT_OK;
}

/* an untyped pointer has no size to check */
__noinline int peek(void *p)
{
	return p != 0;
}

SEC("tc")
int tc_peek_void_ptr(struct __sk_buff *skb)
{
	u64 x = 1;

	return peek(&x);
}
