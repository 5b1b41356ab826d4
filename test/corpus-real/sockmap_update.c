// Filling a sockmap with the generic map helpers: the value is the socket pointer itself, and only
// program types that never run with a socket locked may update or delete entries that way.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} socks_by_port SEC(".maps");

/* tc: look the socket up and park it in the map */
SEC("tc")
int tc_park_socket(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	u32 key = 0;

	tuple.ipv4.dport = bpf_htons(8080);
	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_OK;
	bpf_map_update_elem(&socks, &key, sk, BPF_ANY);
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

/* the socket must be a real socket pointer, not a plain value */
SEC("tc")
int tc_park_cookie(struct __sk_buff *skb)
{
	u64 cookie = bpf_get_socket_cookie(skb);
	u32 key = 1;

	bpf_map_update_elem(&socks, &key, &cookie, BPF_ANY);
	return TC_ACT_OK;
}

/* sock_ops has dedicated helpers for updates; the generic one is refused */
SEC("sockops")
int sockops_generic_update(struct bpf_sock_ops *ops)
{
	u32 key = 2;
	struct bpf_sock *sk = ops->sk;

	if (!sk)
		return 1;
	bpf_map_update_elem(&socks, &key, sk, BPF_ANY);
	return 1;
}

/* ... but it may delete */
SEC("sockops")
int sockops_forget(struct bpf_sock_ops *ops)
{
	u32 key = ops->local_port;

	bpf_map_delete_elem(&socks_by_port, &key);
	return 1;
}

/* tracing programs may run with the socket locked: no deletes from here */
SEC("raw_tp/sys_enter")
int raw_tp_forget(void *ctx)
{
	u32 key = 3;

	bpf_map_delete_elem(&socks_by_port, &key);
	return 0;
}
