// sockops / sk_msg / sk_skb programs in the style of socket-redirect accelerators.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct sock_key {
	u32 sip4;
	u32 dip4;
	u32 family;
	u32 sport;
	u32 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65535);
	__type(key, struct sock_key);
	__type(value, int);
} sock_ops_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u32);
} sock_map SEC(".maps");

static __always_inline void sk_extract4_key(struct bpf_sock_ops *ops, struct sock_key *key)
{
	key->dip4 = ops->remote_ip4;
	key->sip4 = ops->local_ip4;
	key->family = 1;
	key->sport = bpf_htonl(ops->local_port) >> 16;
	key->dport = ops->remote_port >> 16;
}

SEC("sockops")
int sockops_add(struct bpf_sock_ops *skops)
{
	struct sock_key key = {};

	switch (skops->op) {
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (skops->family == AF_INET) {
			sk_extract4_key(skops, &key);
			bpf_sock_hash_update(skops, &sock_ops_map, &key, BPF_NOEXIST);
		}
		break;
	default:
		break;
	}
	return 1;
}

SEC("sockops")
int sockops_rtt_cb(struct bpf_sock_ops *skops)
{
	int op = skops->op;

	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG);
	else if (op == BPF_SOCK_OPS_RTT_CB)
		bpf_printk("srtt %u", skops->srtt_us >> 3);
	return 1;
}

/* sockops reading the full socket through skops->sk, with a NULL check. */
SEC("sockops")
int sockops_sk_state(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;

	if (!sk)
		return 1;
	return sk->state == 1;
}

/* Mistake: skops->sk may be NULL. */
SEC("sockops")
int sockops_sk_nullderef(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;

	return sk->state == 1;
}

/* Mistake: writing a read-only sock_ops field. */
SEC("sockops")
int sockops_write_ro(struct bpf_sock_ops *skops)
{
	skops->remote_port = 0;
	return 1;
}

SEC("sk_msg")
int sk_msg_redirect(struct sk_msg_md *msg)
{
	struct sock_key key = {};

	if (msg->family != AF_INET)
		return SK_PASS;
	key.sip4 = msg->remote_ip4;
	key.dip4 = msg->local_ip4;
	key.family = 1;
	key.dport = bpf_htonl(msg->local_port) >> 16;
	key.sport = msg->remote_port >> 16;
	return bpf_msg_redirect_hash(msg, &sock_ops_map, &key, BPF_F_INGRESS);
}

SEC("sk_msg")
int sk_msg_peek(struct sk_msg_md *msg)
{
	void *data = msg->data;
	void *data_end = msg->data_end;

	if (bpf_msg_pull_data(msg, 0, 4, 0))
		return SK_PASS;
	data = msg->data;
	data_end = msg->data_end;
	if (data + 4 > data_end)
		return SK_PASS;
	return *(u32 *)data == 0xdeadbeef ? SK_DROP : SK_PASS;
}

/* Mistake: sk_msg data read without the data_end check. */
SEC("sk_msg")
int sk_msg_no_bounds(struct sk_msg_md *msg)
{
	u8 *data = msg->data;

	return data[0] == 0 ? SK_DROP : SK_PASS;
}

SEC("sk_skb/stream_parser")
int skb_parser(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	u8 *d = (void *)(long)skb->data;
	u32 idx = 0;

	if ((void *)(d + 1) <= data_end && d[0] == 'R')
		idx = 1;
	return bpf_sk_redirect_map(skb, &sock_map, idx, 0);
}

/* Mistake: a sockhash redirect with the key in a scalar instead of a pointer. */
SEC("sk_msg")
int sk_msg_scalar_key(struct sk_msg_md *msg)
{
	return bpf_msg_redirect_hash(msg, &sock_ops_map, (void *)(long)msg->local_port, 0);
}

/* Mistake: sockmap given to a sockhash helper. */
SEC("sk_msg")
int sk_msg_wrong_map(struct sk_msg_md *msg)
{
	struct sock_key key = {};

	return bpf_msg_redirect_hash(msg, &sock_map, &key, 0);
}
