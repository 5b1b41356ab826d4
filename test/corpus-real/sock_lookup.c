// Socket lookups from TC and XDP: acquire/release, leaks, sk_lookup programs.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int tc_sk_lookup_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	tuple.ipv4.daddr = bpf_htonl(0x7f000001);
	tuple.ipv4.dport = bpf_htons(80);
	sk = bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	if (sk->state == 10 /* TCP_LISTEN */) {
		bpf_sk_release(sk);
		return TC_ACT_SHOT;
	}
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

/* Mistake: the socket reference leaks on one path. */
SEC("tc")
int tc_sk_lookup_leak(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	if (sk->mark)
		return TC_ACT_SHOT;
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

/* Mistake: released twice. */
SEC("tc")
int tc_sk_double_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_udp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	bpf_sk_release(sk);
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

/* Mistake: using the socket after releasing it. */
SEC("tc")
int tc_sk_use_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	u32 mark;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	bpf_sk_release(sk);
	mark = sk->mark;
	return mark ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_tcp_sock_from_sk(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	struct bpf_tcp_sock *tp;

	if (!sk)
		return TC_ACT_OK;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return TC_ACT_OK;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return TC_ACT_OK;
	return tp->snd_cwnd > 10 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("xdp")
int xdp_sk_lookup(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(iph + 1);
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	if ((void *)(th + 1) > data_end)
		return XDP_PASS;
	t.ipv4.saddr = iph->saddr;
	t.ipv4.daddr = iph->daddr;
	t.ipv4.sport = th->source;
	t.ipv4.dport = th->dest;
	sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_DROP;
	bpf_sk_release(sk);
	return XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} redir_map SEC(".maps");

SEC("sk_lookup")
int sk_lookup_steer(struct bpf_sk_lookup *ctx)
{
	struct bpf_sock *sk;
	u32 zero = 0;
	long err;

	if (ctx->local_port != 7007)
		return SK_PASS;
	sk = bpf_map_lookup_elem(&redir_map, &zero);
	if (!sk)
		return SK_DROP;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return err ? SK_DROP : SK_PASS;
}

/* Mistake: the sockmap lookup result is not released. */
SEC("sk_lookup")
int sk_lookup_leak(struct bpf_sk_lookup *ctx)
{
	u32 zero = 0;
	struct bpf_sock *sk = bpf_map_lookup_elem(&redir_map, &zero);

	if (!sk)
		return SK_DROP;
	return bpf_sk_assign(ctx, sk, 0) ? SK_DROP : SK_PASS;
}
