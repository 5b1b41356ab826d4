// A small XDP load balancer: 5-tuple hash, backend array, IP-in-IP encapsulation by head adjust.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct backend {
	u32 ip;
	u8 mac[ETH_ALEN];
	u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline u32 flow_hash(struct iphdr *iph, u16 sport, u16 dport)
{
	return (iph->saddr ^ iph->daddr) * 2654435761u ^ ((u32)sport << 16 | dport);
}

SEC("xdp")
int xdp_lb_encap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data, *neth;
	struct iphdr *iph = (void *)(eth + 1), *outer;
	struct udphdr *uh = (void *)(iph + 1);
	struct backend *be;
	u32 key;
	u16 tot;

	if ((void *)(uh + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_UDP_)
		return XDP_PASS;
	key = flow_hash(iph, uh->source, uh->dest) % 16;
	be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;
	tot = bpf_ntohs(iph->tot_len);
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	neth = data;
	outer = (void *)(neth + 1);
	if ((void *)(outer + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(neth->h_dest, be->mac, ETH_ALEN);
	neth->h_proto = bpf_htons(ETH_P_IP);
	outer->version = 4;
	outer->ihl = 5;
	outer->protocol = 4;
	outer->ttl = 64;
	outer->tot_len = bpf_htons(tot + sizeof(struct iphdr));
	outer->daddr = be->ip;
	outer->check = 0;
	return XDP_TX;
}

/* Mistake: the backend index is the raw hash, not reduced to the array size. */
SEC("xdp")
int xdp_lb_raw_hash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = (void *)(long)ctx->data + sizeof(struct ethhdr);
	struct backend *be, *base;
	u32 zero = 0, h;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	h = iph->saddr;
	base = bpf_map_lookup_elem(&backends, &zero);
	if (!base)
		return XDP_PASS;
	be = base + (h & 0xff);
	return be->ip ? XDP_TX : XDP_PASS;
}

SEC("xdp")
int xdp_lb_adjust_tail(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;

	if (data + 64 > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_tail(ctx, -4))
		return XDP_DROP;
	return XDP_PASS;
}
