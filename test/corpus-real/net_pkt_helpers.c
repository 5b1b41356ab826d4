// Packet pointers as helper arguments: map helpers, bpf_csum_diff and the socket lookups take
// them (their prototypes allow packet access); output helpers such as bpf_ringbuf_output or
// bpf_perf_event_output do not, whatever the bounds check.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} src_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* the IPv4 source address straight from the packet as the map key */
SEC("xdp")
int xdp_count_by_saddr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	u64 one = 1, *v;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	v = bpf_map_lookup_elem(&src_hits, &iph->saddr);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&src_hits, &iph->saddr, &one, BPF_NOEXIST);
	return XDP_PASS;
}

SEC("tc")
int tc_csum_of_header(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	return bpf_csum_diff(0, 0, (void *)iph, sizeof(*iph), 0) ? TC_ACT_OK : TC_ACT_SHOT;
}

/* bpf_ringbuf_output may not read the packet directly: copy it first */
SEC("xdp")
int xdp_ringbuf_packet(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 64 > data_end)
		return XDP_PASS;
	bpf_ringbuf_output(&events, data, 64, 0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_ringbuf_copy(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	u8 buf[64];

	if (data + sizeof(buf) > data_end)
		return XDP_PASS;
	__builtin_memcpy(buf, data, sizeof(buf));
	bpf_ringbuf_output(&events, buf, sizeof(buf), 0);
	return XDP_PASS;
}

/* cgroup_skb reads the packet, but only pkt_access helpers may take it */
SEC("cgroup_skb/ingress")
int cg_perf_packet(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (data + 20 > data_end)
		return 1;
	bpf_ringbuf_output(&events, data, 20, 0);
	return 1;
}
