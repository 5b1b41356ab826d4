// TC (sched_cls) programs: direct packet access on __sk_buff, skb helpers, checksum updates,
// redirects, marks, and the mistakes around them.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define IP_CSUM_OFF (sizeof(struct ethhdr) + offsetof(struct iphdr, check))
#define IP_DST_OFF (sizeof(struct ethhdr) + offsetof(struct iphdr, daddr))
#define TCP_CSUM_OFF (sizeof(struct ethhdr) + sizeof(struct iphdr) + offsetof(struct tcphdr, check))
#define TCP_DPORT_OFF (sizeof(struct ethhdr) + sizeof(struct iphdr) + offsetof(struct tcphdr, dest))
#define IS_PSEUDO 0x10

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u32);
} nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} bytes SEC(".maps");

SEC("tc")
int tc_count_bytes(struct __sk_buff *skb)
{
	u32 key = skb->ingress_ifindex ? 0 : 1;
	u64 *v = bpf_map_lookup_elem(&bytes, &key);

	if (v)
		__sync_fetch_and_add(v, skb->len);
	return TC_ACT_OK;
}

SEC("tc")
int tc_dnat(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	u32 old_daddr, *new_daddr;

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_TCP_ || iph->ihl != 5)
		return TC_ACT_OK;
	old_daddr = iph->daddr;
	new_daddr = bpf_map_lookup_elem(&nat, &old_daddr);
	if (!new_daddr)
		return TC_ACT_OK;
	bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_daddr, *new_daddr, IS_PSEUDO | sizeof(*new_daddr));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_daddr, *new_daddr, sizeof(*new_daddr));
	bpf_skb_store_bytes(skb, IP_DST_OFF, new_daddr, sizeof(*new_daddr), 0);
	return TC_ACT_OK;
}

/* Mistake: the packet pointer is used after bpf_skb_store_bytes, which may move the data. */
SEC("tc")
int tc_stale_after_store(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__be16 port = bpf_htons(8080);

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	bpf_skb_store_bytes(skb, TCP_DPORT_OFF, &port, sizeof(port), BPF_F_RECOMPUTE_CSUM);
	return iph->ttl > 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int tc_load_bytes(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct tcphdr tcph;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &iph, sizeof(iph)))
		return TC_ACT_OK;
	if (iph.protocol != IPPROTO_TCP_)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr) + iph.ihl * 4, &tcph, sizeof(tcph)))
		return TC_ACT_OK;
	if (tcph.dest == bpf_htons(22))
		skb->mark = 0x22;
	return TC_ACT_OK;
}

/* Mistake: a variable length for bpf_skb_load_bytes that may exceed the buffer. */
SEC("tc")
int tc_load_bytes_var_len(struct __sk_buff *skb)
{
	char buf[64];
	u32 len = skb->len;

	if (bpf_skb_load_bytes(skb, 0, buf, len))
		return TC_ACT_OK;
	return buf[0] ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_load_bytes_var_len_ok(struct __sk_buff *skb)
{
	char buf[64];
	u32 len = skb->len;

	if (len > sizeof(buf))
		len = sizeof(buf);
	if (len < 1)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 0, buf, len))
		return TC_ACT_OK;
	return buf[0] ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_redirect_by_mark(struct __sk_buff *skb)
{
	if (skb->mark == 0)
		return TC_ACT_OK;
	return bpf_redirect(skb->mark & 0xffff, 0);
}

/* Writing to a read-only __sk_buff field. */
SEC("tc")
int tc_write_len(struct __sk_buff *skb)
{
	skb->len = 0;
	return TC_ACT_OK;
}

SEC("tc")
int tc_set_priority_and_tc_index(struct __sk_buff *skb)
{
	skb->priority = 7;
	skb->tc_index = 1;
	skb->tc_classid = 0x10001;
	return TC_ACT_OK;
}

SEC("tc")
int tc_vlan_push(struct __sk_buff *skb)
{
	if (skb->vlan_present)
		return TC_ACT_OK;
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100);
	return TC_ACT_OK;
}

SEC("tc")
int tc_pull_data(struct __sk_buff *skb)
{
	void *data, *data_end;
	struct iphdr *iph;

	if (bpf_skb_pull_data(skb, sizeof(struct ethhdr) + sizeof(struct iphdr)))
		return TC_ACT_OK;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	iph = data + sizeof(struct ethhdr);
	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	return iph->ttl == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Packet data read through a pointer built from skb->len, not from data_end. */
SEC("tc")
int tc_bounds_from_len(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;

	if (skb->len < 20)
		return TC_ACT_OK;
	return data[19] == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int tc_csum_diff(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__be32 old_saddr, new_saddr = bpf_htonl(0x0a000001);
	s64 diff;

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	old_saddr = iph->saddr;
	diff = bpf_csum_diff(&old_saddr, 4, &new_saddr, 4, 0);
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, diff, 0);
	return TC_ACT_OK;
}
