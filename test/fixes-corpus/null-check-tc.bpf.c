// The same mistake in a tc program, with the value declared at the lookup.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct stats);
} by_ifindex SEC(".maps");

SEC("tc")
int account(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	struct stats *s = bpf_map_lookup_elem(&by_ifindex, &key);

	s->packets++; // expect: invalid mem access 'map_value_or_null'
	s->bytes += skb->len;
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
