#include "common.h"
int counter = 1;
__u64 big[4] = { 1, 2, 3, 4 };
const volatile __u32 limit = 100;
const char msg[] = "hello %d\n";
__u32 zeroed;
static __u64 bss_static;
int in_custom SEC(".data.custom") = 9;
const volatile int ro_custom SEC(".rodata.custom") = 5;
__u64 bss_custom SEC(".bss.custom");

SEC("socket") int globals(struct __sk_buff *skb)
{
	counter++;
	zeroed += skb->len;
	bss_static += big[skb->len & 3];
	in_custom += ro_custom;
	bss_custom++;
	bpf_printk("len %d", skb->len);
	bpf_trace_printk(msg, sizeof(msg), counter);
	return skb->len < limit ? 0 : -1;
}
char LICENSE[] SEC("license") = "GPL";
