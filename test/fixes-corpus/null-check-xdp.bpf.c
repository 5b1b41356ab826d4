// A map value used without checking the lookup: the verifier refuses it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *value;

	value = bpf_map_lookup_elem(&counters, &key);
	*value += 1; // expect: invalid mem access 'map_value_or_null'
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
