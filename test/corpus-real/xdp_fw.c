// XDP firewall and redirect programs: LPM blocklists, per-CPU counters, devmap/xskmap
// redirects, FIB lookups.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct lpm_v4_key {
	u32 prefixlen;
	u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct lpm_v4_key);
	__type(value, u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist SEC(".maps");

struct datarec {
	u64 rx_packets;
	u64 rx_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, u32);
	__type(value, struct datarec);
} xdp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u32);
} xsks SEC(".maps");

static __always_inline u32 xdp_stats_record(struct xdp_md *ctx, u32 action)
{
	struct datarec *rec;

	if (action > XDP_REDIRECT)
		return XDP_ABORTED;
	rec = bpf_map_lookup_elem(&xdp_stats, &action);
	if (!rec)
		return XDP_ABORTED;
	rec->rx_packets++;
	rec->rx_bytes += ctx->data_end - ctx->data;
	return action;
}

SEC("xdp")
int xdp_blocklist(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct lpm_v4_key key;
	u32 action = XDP_PASS;

	if ((void *)(iph + 1) > data_end)
		goto out;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		goto out;
	key.prefixlen = 32;
	key.addr = iph->saddr;
	if (bpf_map_lookup_elem(&blocklist, &key))
		action = XDP_DROP;
out:
	return xdp_stats_record(ctx, action);
}

/* Mistake: passing the packet pointer as the LPM key without checking its size. */
SEC("xdp")
int xdp_blocklist_packet_key(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;

	if (data + 4 > data_end)
		return XDP_PASS;
	return bpf_map_lookup_elem(&blocklist, data) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_redirect_map_prog(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return bpf_redirect_map(&tx_ports, ctx->ingress_ifindex, XDP_PASS);
}

SEC("xdp")
int xdp_sock_redirect(struct xdp_md *ctx)
{
	int index = ctx->rx_queue_index;

	if (bpf_map_lookup_elem(&xsks, &index))
		return bpf_redirect_map(&xsks, index, 0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_fib_forward(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	int rc;

	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ttl <= 1)
		return XDP_PASS;
	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = iph->protocol;
	fib.tot_len = bpf_ntohs(iph->tot_len);
	fib.ipv4_src = iph->saddr;
	fib.ipv4_dst = iph->daddr;
	fib.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	iph->ttl--;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return bpf_redirect_map(&tx_ports, fib.ifindex, 0);
}

/* Mistake: bpf_fib_lookup given a struct that is too small (the size is checked at run time
 * only, but the stack must be initialised for the full size passed). */
SEC("xdp")
int xdp_fib_uninit(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib;

	fib.family = AF_INET;
	fib.ifindex = ctx->ingress_ifindex;
	return bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) == 0 ? XDP_TX : XDP_PASS;
}

/* Mistake: the stats index comes from the packet, unbounded, into an array value pointer. */
SEC("xdp")
int xdp_stats_packet_index(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = (void *)(long)ctx->data;
	struct datarec *rec;
	u32 zero = 0;

	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	rec = bpf_map_lookup_elem(&xdp_stats, &zero);
	if (!rec)
		return XDP_PASS;
	((u64 *)rec)[p[0]] += 1;
	return XDP_PASS;
}

/* Unchecked lookup used for an increment. */
SEC("xdp")
int xdp_stats_unchecked(struct xdp_md *ctx)
{
	u32 key = XDP_PASS;
	struct datarec *rec = bpf_map_lookup_elem(&xdp_stats, &key);

	rec->rx_packets++;
	return XDP_PASS;
}

/* bpf_xdp_load_bytes into a stack buffer. */
SEC("xdp")
int xdp_load_bytes(struct xdp_md *ctx)
{
	u8 hdr[34];

	if (bpf_xdp_load_bytes(ctx, 0, hdr, sizeof(hdr)))
		return XDP_PASS;
	return hdr[23] == IPPROTO_UDP_ ? XDP_DROP : XDP_PASS;
}
