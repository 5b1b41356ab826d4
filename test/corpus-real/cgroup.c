// cgroup programs: cgroup_skb accounting, cgroup/sock, connect4 rewrites, sysctl, device.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} cg_bytes SEC(".maps");

SEC("cgroup_skb/egress")
int cg_egress_count(struct __sk_buff *skb)
{
	u32 key = 1;
	u64 *v = bpf_map_lookup_elem(&cg_bytes, &key);

	if (v)
		*v += skb->len;
	return 1;
}

SEC("cgroup_skb/ingress")
int cg_ingress_drop_port(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct udphdr udph;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	if (bpf_skb_load_bytes(skb, 0, &iph, sizeof(iph)))
		return 1;
	if (iph.protocol != IPPROTO_UDP_)
		return 1;
	if (bpf_skb_load_bytes(skb, iph.ihl * 4, &udph, sizeof(udph)))
		return 1;
	return udph.dest != bpf_htons(5353);
}

/* cgroup_skb has direct packet read access (it starts at the IP header). */
SEC("cgroup_skb/ingress")
int cg_ingress_direct(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *iph = (void *)(long)skb->data;

	if ((void *)(iph + 1) > data_end)
		return 1;
	return iph->ttl != 1;
}

/* Mistake: cgroup_skb may only return 0..3 (return codes outside are refused). */
SEC("cgroup_skb/egress")
int cg_egress_bad_ret(struct __sk_buff *skb)
{
	return skb->len > 1000 ? 7 : 1;
}

/* Mistake: cgroup_skb cannot write packet data directly. */
SEC("cgroup_skb/egress")
int cg_egress_write_pkt(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *iph = (void *)(long)skb->data;

	if ((void *)(iph + 1) > data_end)
		return 1;
	iph->tos = 0;
	return 1;
}

/* Mistake: bpf_skb_store_bytes is not available to cgroup_skb. */
SEC("cgroup_skb/egress")
int cg_egress_store_bytes(struct __sk_buff *skb)
{
	u8 tos = 0;

	bpf_skb_store_bytes(skb, 1, &tos, 1, 0);
	return 1;
}

SEC("cgroup/sock_create")
int cg_sock_create(struct bpf_sock *sk)
{
	if (sk->family == AF_INET6 && sk->type == 3 /* SOCK_RAW */)
		return 0;
	return 1;
}

SEC("cgroup/connect4")
int cg_connect4_redirect(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(53)) {
		ctx->user_ip4 = bpf_htonl(0x7f000001);
		ctx->user_port = bpf_htons(5353);
	}
	return 1;
}

/* Mistake: writing a narrow part of user_ip4 that may not be written that way. */
SEC("cgroup/connect4")
int cg_connect4_write_family(struct bpf_sock_addr *ctx)
{
	ctx->family = AF_INET6;
	return 1;
}

SEC("cgroup/sysctl")
int cg_sysctl_readonly(struct bpf_sysctl *ctx)
{
	char name[64];
	int ret;

	ret = bpf_sysctl_get_name(ctx, name, sizeof(name), 0);
	if (ret < 0)
		return 1;
	if (ctx->write && name[0] == 'k')
		return 0;
	return 1;
}

SEC("cgroup/dev")
int cg_dev_allow_null(struct bpf_cgroup_dev_ctx *ctx)
{
	short type = ctx->access_type & 0xFFFF;

	if (type != 2)
		return 0;
	return ctx->major == 1 && ctx->minor == 3;
}

SEC("cgroup/getsockopt")
int cg_getsockopt(struct bpf_sockopt *ctx)
{
	u8 *optval = ctx->optval;
	u8 *optval_end = ctx->optval_end;

	if (ctx->level != 0 /* SOL_IP */)
		return 1;
	if (optval + 1 > optval_end)
		return 1;
	ctx->retval = 0;
	optval[0] = 0x80;
	ctx->optlen = 1;
	return 1;
}
