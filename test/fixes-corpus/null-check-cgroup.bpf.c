// A cgroup_skb program reading a map value in a helper function without a NULL check.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} limits SEC(".maps");

SEC("cgroup_skb/egress")
int egress(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u32 *limit = bpf_map_lookup_elem(&limits, &zero);

	if (skb->len > *limit) // expect: invalid mem access 'map_value_or_null'
		return 0;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
