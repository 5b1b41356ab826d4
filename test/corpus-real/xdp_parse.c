// XDP packet parsers in the style of xdp-tutorial and cilium: header cursors with bounds checks,
// VLAN stacks, IPv4 options, IPv6, TCP/UDP, and the bounds mistakes that real code makes.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct hdr_cursor {
	void *pos;
};

struct vlan_hdr_ {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end, struct ethhdr **ethhdr)
{
	struct ethhdr *eth = nh->pos;
	struct vlan_hdr_ *vlh;
	__u16 h_proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	*ethhdr = eth;
	vlh = nh->pos;
	h_proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		if ((void *)(vlh + 1) > data_end)
			break;
		h_proto = vlh->h_vlan_encapsulated_proto;
		vlh++;
	}
	nh->pos = vlh;
	return h_proto;
}

static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end, struct iphdr **iphdr)
{
	struct iphdr *iph = nh->pos;
	int hdrsize;

	if ((void *)(iph + 1) > data_end)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < sizeof(*iph))
		return -1;
	if (nh->pos + hdrsize > data_end)
		return -1;
	nh->pos += hdrsize;
	*iphdr = iph;
	return iph->protocol;
}

static __always_inline int parse_ip6hdr(struct hdr_cursor *nh, void *data_end, struct ipv6hdr **ip6hdr)
{
	struct ipv6hdr *ip6h = nh->pos;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	nh->pos = ip6h + 1;
	*ip6hdr = ip6h;
	return ip6h->nexthdr;
}

static __always_inline int parse_tcphdr(struct hdr_cursor *nh, void *data_end, struct tcphdr **tcphdr)
{
	struct tcphdr *h = nh->pos;
	int len;

	if ((void *)(h + 1) > data_end)
		return -1;
	len = h->doff * 4;
	if (len < sizeof(*h))
		return -1;
	if (nh->pos + len > data_end)
		return -1;
	nh->pos += len;
	*tcphdr = h;
	return len;
}

static __always_inline int parse_udphdr(struct hdr_cursor *nh, void *data_end, struct udphdr **udphdr)
{
	struct udphdr *h = nh->pos;
	int len;

	if ((void *)(h + 1) > data_end)
		return -1;
	nh->pos = h + 1;
	*udphdr = h;
	len = bpf_ntohs(h->len) - sizeof(struct udphdr);
	if (len < 0)
		return -1;
	return len;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, u64);
} proto_count SEC(".maps");

SEC("xdp")
int xdp_parser_full(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *iph;
	struct ipv6hdr *ip6h;
	struct tcphdr *tcph;
	struct udphdr *udph;
	int eth_type, ip_type;
	u32 key;
	u64 *cnt;

	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type == bpf_htons(ETH_P_IP))
		ip_type = parse_iphdr(&nh, data_end, &iph);
	else if (eth_type == bpf_htons(ETH_P_IPV6))
		ip_type = parse_ip6hdr(&nh, data_end, &ip6h);
	else
		return XDP_PASS;
	if (ip_type < 0)
		return XDP_ABORTED;
	key = ip_type & 0xff;
	cnt = bpf_map_lookup_elem(&proto_count, &key);
	if (cnt)
		*cnt += 1;
	if (ip_type == IPPROTO_TCP_) {
		if (parse_tcphdr(&nh, data_end, &tcph) < 0)
			return XDP_ABORTED;
		if (tcph->syn && !tcph->ack && bpf_ntohs(tcph->dest) == 23)
			return XDP_DROP;
	} else if (ip_type == IPPROTO_UDP_) {
		if (parse_udphdr(&nh, data_end, &udph) < 0)
			return XDP_ABORTED;
		if (udph->dest == bpf_htons(53))
			udph->check = 0;
	}
	return XDP_PASS;
}

/* Mistake: the IP header is read without checking it fits in the packet. */
SEC("xdp")
int xdp_ip_no_bounds(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return iph->protocol == IPPROTO_ICMP_ ? XDP_DROP : XDP_PASS;
}

/* Mistake: off-by-one, the check covers the Ethernet header but not the last byte read. */
SEC("xdp")
int xdp_off_by_one(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = (void *)(long)ctx->data;

	if ((void *)(p + 14) > data_end)
		return XDP_PASS;
	return p[14] == 0x45 ? XDP_DROP : XDP_PASS;
}

/* Mistake: the TCP header is located with ihl*4 but the bound uses the fixed header size. */
SEC("xdp")
int xdp_tcp_after_options_unchecked(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct tcphdr *tcph;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	tcph = (void *)iph + iph->ihl * 4;
	if ((void *)(iph + 1) + sizeof(*tcph) > data_end)
		return XDP_PASS;
	return tcph->dest == bpf_htons(80) ? XDP_DROP : XDP_PASS;
}

/* Variable IP header length done right: bound the ihl and check the cursor. */
SEC("xdp")
int xdp_tcp_after_options_checked(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct tcphdr *tcph;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_TCP_)
		return XDP_PASS;
	tcph = (void *)iph + iph->ihl * 4;
	if ((void *)(tcph + 1) > data_end)
		return XDP_PASS;
	return tcph->dest == bpf_htons(80) ? XDP_DROP : XDP_PASS;
}

/* Scanning TCP options with a bounded loop and a per-byte bounds check. */
SEC("xdp")
int xdp_tcp_options_scan(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct tcphdr *tcph;
	unsigned char *opt;
	int i;

	if ((void *)(iph + 1) > data_end || iph->ihl != 5 || iph->protocol != IPPROTO_TCP_)
		return XDP_PASS;
	tcph = (void *)(iph + 1);
	if ((void *)(tcph + 1) > data_end)
		return XDP_PASS;
	opt = (unsigned char *)(tcph + 1);
	for (i = 0; i < 10; i++) {
		if ((void *)(opt + 1) > data_end)
			break;
		if (*opt == 0)
			break;
		if (*opt == 1) {
			opt++;
			continue;
		}
		if ((void *)(opt + 2) > data_end)
			break;
		if (*opt == 2)
			return XDP_DROP;
		opt += opt[1] < 2 ? 2 : (opt[1] & 0x3f);
	}
	return XDP_PASS;
}

/* Mistake: comparison with the wrong direction leaves the access unproven. */
SEC("xdp")
int xdp_wrong_compare(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) < data_end)
		return XDP_PASS;
	return eth->h_proto == 0 ? XDP_DROP : XDP_PASS;
}

/* Mistake: returning a value outside the XDP action range is fine for the verifier, but an
 * uninitialised return value is not. */
SEC("xdp")
int xdp_action_from_packet(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = (void *)(long)ctx->data;

	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	return p[0] & 3;
}

/* Walking an IPv6 extension header chain with a fixed bound. */
SEC("xdp")
int xdp_ipv6_ext_chain(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = data + sizeof(*eth);
	struct ipv6_opt_hdr *oh;
	u8 nexthdr;
	int i;

	if ((void *)(ip6h + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	nexthdr = ip6h->nexthdr;
	oh = (void *)(ip6h + 1);
	for (i = 0; i < 4; i++) {
		if (nexthdr != 0 && nexthdr != 43 && nexthdr != 60)
			break;
		if ((void *)(oh + 1) > data_end)
			return XDP_DROP;
		nexthdr = oh->nexthdr;
		oh = (void *)oh + (oh->hdrlen + 1) * 8;
	}
	return nexthdr == IPPROTO_TCP_ ? XDP_PASS : XDP_DROP;
}

/* xdp_adjust_head invalidates packet pointers: reading through the old one is a mistake. */
SEC("xdp")
int xdp_adjust_head_stale(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_DROP;
	return eth->h_proto ? XDP_PASS : XDP_DROP;
}

/* ... and the correct version reloads data/data_end. */
SEC("xdp")
int xdp_adjust_head_reload(struct xdp_md *ctx)
{
	void *data_end, *data;
	struct ethhdr *eth;
	__be32 *tag;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(*tag)))
		return XDP_DROP;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	tag = data;
	eth = data + sizeof(*tag);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memmove(data, eth, 12);
	*tag = bpf_htonl(0x81000000 | 100);
	return XDP_PASS;
}
