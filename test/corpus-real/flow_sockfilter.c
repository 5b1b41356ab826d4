// Socket filters (classic ld_abs style and direct loads) and a flow dissector.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int sockfilter_ld_abs(struct __sk_buff *skb)
{
	if (load_half(skb, offsetof(struct ethhdr, h_proto)) != ETH_P_IP)
		return 0;
	if (load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol)) != IPPROTO_UDP_)
		return 0;
	return -1;
}

SEC("socket")
int sockfilter_ld_ind(struct __sk_buff *skb)
{
	u64 ihl = load_byte(skb, ETH_HLEN) & 0xf;

	return load_half(skb, ETH_HLEN + ihl * 4 + 2) == 53 ? -1 : 0;
}

SEC("socket")
int sockfilter_direct_read(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = (void *)(long)skb->data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? skb->len : 0;
}

SEC("socket")
int sockfilter_write_mark(struct __sk_buff *skb)
{
	skb->mark = 1;
	return 0;
}

SEC("socket")
int sockfilter_cb(struct __sk_buff *skb)
{
	skb->cb[0] = skb->len;
	return skb->cb[0] > 100 ? -1 : 0;
}

SEC("flow_dissector")
int flow_dissect(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct iphdr *iph = data + keys->nhoff;

	if ((void *)(iph + 1) > data_end)
		return BPF_DROP;
	if (keys->n_proto != bpf_htons(ETH_P_IP))
		return BPF_DROP;
	keys->addr_proto = ETH_P_IP;
	keys->ipv4_src = iph->saddr;
	keys->ipv4_dst = iph->daddr;
	keys->ip_proto = iph->protocol;
	keys->thoff = keys->nhoff + iph->ihl * 4;
	return BPF_OK;
}

SEC("flow_dissector")
int flow_dissect_load_bytes(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	struct iphdr iph;

	if (bpf_skb_load_bytes(skb, keys->nhoff, &iph, sizeof(iph)))
		return BPF_DROP;
	keys->ip_proto = iph.protocol;
	return BPF_OK;
}

/* Mistake: writing the packet from a flow dissector. */
SEC("flow_dissector")
int flow_dissect_write_pkt(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	u8 *p = (void *)(long)skb->data;

	if ((void *)(p + 1) > data_end)
		return BPF_DROP;
	p[0] = 0;
	return BPF_OK;
}

/* Mistake: flow keys written out of bounds. */
SEC("flow_dissector")
int flow_dissect_keys_oob(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;

	((u32 *)keys)[20] = 0;
	return BPF_OK;
}
