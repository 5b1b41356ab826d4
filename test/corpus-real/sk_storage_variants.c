// bpf_sk_storage_get takes a different socket argument per program type: cgroup/sock programs
// pass their ctx, tracing programs a BTF socket pointer (or NULL).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct sock_stats {
	u64 created;
	u64 csum_errors;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_stats);
} sk_stats SEC(".maps");

SEC("cgroup/sock_create")
int count_created(struct bpf_sock *ctx)
{
	struct sock_stats *st;

	st = bpf_sk_storage_get(&sk_stats, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (st)
		st->created++;
	return 1;
}

/* in cgroup/sock the socket argument is the ctx, nothing else */
SEC("cgroup/sock_create")
int count_created_null(struct bpf_sock *ctx)
{
	struct sock_stats *st = bpf_sk_storage_get(&sk_stats, 0, 0, 0);

	return st ? 1 : 1;
}

SEC("tp_btf/tcp_bad_csum")
int BPF_PROG(csum_error, const struct sk_buff *skb)
{
	struct sock_stats *st;

	st = bpf_sk_storage_get(&sk_stats, skb->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (st)
		st->csum_errors++;
	return 0;
}
