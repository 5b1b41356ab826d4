// XDP ICMP echo responder with checksum folding, and header swaps.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline u16 csum_fold_helper(u32 csum)
{
	u32 sum;

	sum = (csum >> 16) + (csum & 0xffff);
	sum += (sum >> 16);
	return ~sum;
}

static __always_inline void swap_mac(struct ethhdr *eth)
{
	u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

SEC("xdp")
int xdp_icmp_echo(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct icmphdr *icmp = (void *)(iph + 1);
	u32 tmp_ip, csum;
	u16 old;

	if ((void *)(icmp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_ICMP_ || iph->ihl != 5)
		return XDP_PASS;
	if (icmp->type != 8)
		return XDP_PASS;
	swap_mac(eth);
	tmp_ip = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = tmp_ip;
	old = *(u16 *)icmp;
	icmp->type = 0;
	csum = bpf_csum_diff((__be32 *)&old, 4, (__be32 *)icmp, 4, ~icmp->checksum);
	icmp->checksum = csum_fold_helper(csum);
	return XDP_TX;
}

/* Full IPv4 header checksum recomputed in a loop over 10 half-words. */
SEC("xdp")
int xdp_ip_csum_loop(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	u16 *p = (u16 *)iph;
	u32 sum = 0;
	int i;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	iph->ttl--;
	iph->check = 0;
#pragma unroll
	for (i = 0; i < (int)sizeof(*iph) / 2; i++)
		sum += p[i];
	iph->check = csum_fold_helper(sum);
	return XDP_PASS;
}

/* Mistake: the checksum loop runs over ihl*4 bytes, past what was bounds-checked. */
SEC("xdp")
int xdp_ip_csum_var_len(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	u16 *p = (u16 *)iph;
	u32 sum = 0;
	int i, n;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	n = iph->ihl * 2;
	for (i = 0; i < n && i < 30; i++)
		sum += p[i];
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

/* The same loop with a per-iteration bounds check. */
SEC("xdp")
int xdp_ip_csum_var_len_checked(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	u16 *p = (u16 *)iph;
	u32 sum = 0;
	int i, n;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	n = iph->ihl * 2;
	for (i = 0; i < n && i < 30; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		sum += p[i];
	}
	return sum & 1 ? XDP_PASS : XDP_DROP;
}
