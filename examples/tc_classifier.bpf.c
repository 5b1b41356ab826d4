// SPDX-License-Identifier: GPL-2.0
// tc classifier: parses Ethernet, IPv4 and TCP/UDP headers with bounds checks, drops TCP to a
// blocked port, marks UDP DNS traffic with a class id, and counts what it did per action.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define BLOCKED_TCP_PORT 23 /* telnet */
#define DNS_PORT 53
#define DNS_CLASSID 0x10001

enum verdict { V_PASS, V_DROP, V_MARK, V_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, V_MAX);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

static __always_inline void count(__u32 v)
{
	__u64 *n = bpf_map_lookup_elem(&verdicts, &v);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return TC_ACT_OK;

	void *l4 = (void *)ip + ip->ihl * 4;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		if (tcp->dest == bpf_htons(BLOCKED_TCP_PORT)) {
			count(V_DROP);
			return TC_ACT_SHOT;
		}
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		if (udp->dest == bpf_htons(DNS_PORT)) {
			skb->tc_classid = DNS_CLASSID;
			count(V_MARK);
			return TC_ACT_OK;
		}
	}
	count(V_PASS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
