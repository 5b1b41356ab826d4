// TCP statistics from a tc program through bpf_tcp_sock(): the u64 byte counters and the u32
// fields after them (dsack_dups, delivered, delivered_ce), as congestion monitors read them.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct tcp_stats {
	u64 bytes_received;
	u64 bytes_acked;
	u32 dsack_dups;
	u32 delivered;
	u32 delivered_ce;
	u32 retrans;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct tcp_stats);
} last_stats SEC(".maps");

SEC("tc")
int tc_tcp_stats(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	struct bpf_tcp_sock *tp;
	struct tcp_stats *st;
	u32 key = 0;

	if (!sk)
		return TC_ACT_OK;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return TC_ACT_OK;
	st = bpf_map_lookup_elem(&last_stats, &key);
	if (!st)
		return TC_ACT_OK;
	st->bytes_received = tp->bytes_received;
	st->bytes_acked = tp->bytes_acked;
	st->dsack_dups = tp->dsack_dups;
	st->delivered = tp->delivered;
	st->delivered_ce = tp->delivered_ce;
	st->retrans = tp->total_retrans + tp->icsk_retransmits;
	return TC_ACT_OK;
}

/* the low half of a u64 counter: u64 loads only */
SEC("tc")
int tc_tcp_bytes_u32(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	struct bpf_tcp_sock *tp;

	if (!sk)
		return TC_ACT_OK;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return TC_ACT_OK;
	return *(volatile u32 *)&tp->bytes_received > 1000 ? TC_ACT_SHOT : TC_ACT_OK;
}
