// Helpers whose availability depends on the attach type (bpf_bind in connect hooks only,
// set/getsockopt in cgroup/setsockopt only), and helper arguments that must be kernel pointers
// of a particular kind (percpu pointers, kptr destinations), as cgroup and TC programs misuse them.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define SOL_SOCKET 1
#define SO_MARK 36
#define SOL_TCP 6
#define TCP_CONGESTION 13

SEC("cgroup/connect4")
int connect4_bind_source(struct bpf_sock_addr *ctx)
{
	struct sockaddr_in sa = {};

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = bpf_htonl(0x0a000002);
	if (ctx->user_port == bpf_htons(53))
		bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa));
	return 1;
}

/* bpf_bind belongs to the connect hooks */
SEC("cgroup/sendmsg4")
int sendmsg4_bind_source(struct bpf_sock_addr *ctx)
{
	struct sockaddr_in sa = {};

	sa.sin_family = AF_INET;
	bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa));
	return 1;
}

SEC("cgroup/connect6")
int connect6_set_mark(struct bpf_sock_addr *ctx)
{
	int mark = 0x42;

	bpf_setsockopt(ctx, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	return 1;
}

SEC("cgroup/setsockopt")
int setsockopt_force_cc(struct bpf_sockopt *ctx)
{
	char cc[8] = "cubic";
	struct bpf_sock *sk = ctx->sk;

	if (!sk || ctx->level != SOL_TCP || ctx->optname != TCP_CONGESTION)
		return 1;
	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc));
	return 1;
}

/* getsockopt hooks may not call bpf_setsockopt */
SEC("cgroup/getsockopt")
int getsockopt_sets_cc(struct bpf_sockopt *ctx)
{
	char cc[8] = "reno";
	struct bpf_sock *sk = ctx->sk;

	if (!sk)
		return 1;
	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc));
	return 1;
}

/* bpf_this_cpu_ptr wants a percpu kernel variable, not the ctx */
SEC("tc")
int tc_this_cpu_ctx(struct __sk_buff *skb)
{
	const u32 *p = bpf_this_cpu_ptr(skb);

	return p ? TC_ACT_OK : TC_ACT_SHOT;
}

/* bpf_kptr_xchg's destination is a map value's kptr field */
SEC("tc")
int tc_kptr_xchg_ctx(struct __sk_buff *skb)
{
	void *old = bpf_kptr_xchg(skb, NULL);

	return old ? TC_ACT_SHOT : TC_ACT_OK;
}
