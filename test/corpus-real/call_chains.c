// Call chains the kernel walks statically after verification: at most 8 frames deep (recursion
// never fits), and what a caller may hand to a global function (the ctx unmodified, never the ctx
// as plain memory).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define LEVEL(n, next)                      \
	__noinline int level##n(int x)      \
	{                                   \
		return next(x + n) + 1;     \
	}

__noinline int level9(int x)
{
	return (x ^ bpf_get_prandom_u32()) & 0xff;
}
LEVEL(8, level9)
LEVEL(7, level8)
LEVEL(6, level7)
LEVEL(5, level6)
LEVEL(4, level5)
LEVEL(3, level4)
LEVEL(2, level3)
LEVEL(1, level2)

/* main -> level1 -> ... -> level9: nine calls deep */
SEC("tc")
int tc_deep_chain(struct __sk_buff *skb)
{
	return level1(skb->len) & 1;
}

/* main -> level3 -> ... -> level9: seven calls deep, fine */
SEC("tc")
int tc_chain_ok(struct __sk_buff *skb)
{
	return level3(skb->len) & 1;
}

__noinline int pong(int depth);

__noinline int ping(int depth)
{
	if (depth <= 0)
		return bpf_get_prandom_u32() & 1;
	return pong(depth - 1) ^ 1;
}

__noinline int pong(int depth)
{
	if (depth <= 0)
		return bpf_get_prandom_u32() & 1;
	return ping(depth - 1) ^ 2;
}

/* bounded at run time, but the static walk of ping <-> pong never ends */
SEC("tc")
int tc_bounded_recursion(struct __sk_buff *skb)
{
	return ping(2) & 1;
}

__noinline int read_len(struct __sk_buff *skb)
{
	return skb->len;
}

/* a global function's ctx argument must be the ctx itself */
SEC("tc")
int tc_shifted_ctx(struct __sk_buff *skb)
{
	return read_len(skb + 1);
}

struct hdr_view {
	u32 first_word;
};

__noinline int peek_word(const struct hdr_view *v)
{
	return v ? v->first_word & 1 : 0;
}

/* the ctx is not plain memory */
SEC("cgroup_skb/egress")
int cg_ctx_as_mem(struct __sk_buff *skb)
{
	return peek_word((const void *)skb);
}
