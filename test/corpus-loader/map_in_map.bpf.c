#include "common.h"
struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); };
struct inner in1 SEC(".maps"), in2 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 4); __type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { [0] = &in1, [2] = &in2 } };
int tail0(void *ctx);
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, __u32);
	__array(values, int (void *));
} jmp SEC(".maps") = { .values = { [1] = (void *)&tail0 } };

SEC("tc") int tail0(void *ctx) { return 1; }
SEC("tc") int mim(struct __sk_buff *skb)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (in) { __u32 *v = bpf_map_lookup_elem(in, &k); if (v) return *v; }
	bpf_tail_call(skb, &jmp, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
