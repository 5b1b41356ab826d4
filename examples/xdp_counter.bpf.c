// SPDX-License-Identifier: GPL-2.0
// XDP packet counter: counts packets and bytes per CPU in a per-CPU array and passes every packet.
// User space sums the per-CPU slots (bpftool map dump name pkt_stats).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct datarec {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct datarec);
} pkt_stats SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 key = 0;
	struct datarec *rec;

	rec = bpf_map_lookup_elem(&pkt_stats, &key);
	if (!rec)
		return XDP_ABORTED;

	/* Per-CPU values need no atomics: only this CPU writes its slot. */
	rec->packets++;
	rec->bytes += data_end - data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
