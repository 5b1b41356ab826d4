// State pruning with dead stack slots (the 6.18 kernel's stack liveness, kernel/bpf/liveness.c):
// a callee writes a stack slot on one path only; after the paths join the slot is never read
// again, so the kernel ignores it when comparing the second path with the first one's checkpoint
// and prunes there. bpfls computes slot liveness statically (liveness.ts) and should process the
// same number of instructions.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __noinline int dead_slot_callee(__u32 sel)
{
	__u32 key = 0;
	__u64 *v;

	if (sel & 1) {
		__u64 tmp = sel * 3;

		bpf_map_update_elem(&vals, &key, &tmp, BPF_ANY);
	}
	/* tmp's slot is dead from here on */
	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
#pragma unroll
	for (int i = 0; i < 12; i++) {
		if (*v & (1 << i))
			*v += i;
		else
			*v ^= i;
	}
	return *v & 1;
}

SEC("tc")
int dead_slot_in_callee(struct __sk_buff *skb)
{
	return dead_slot_callee(skb->mark);
}

/* the same in the main function: the slot is dead after the join */
SEC("tc")
int dead_slot_in_main(struct __sk_buff *skb)
{
	__u32 key = 0, sel = skb->mark;
	__u64 *v;

	if (sel & 1) {
		__u64 tmp = sel * 5;

		bpf_map_update_elem(&vals, &key, &tmp, BPF_ANY);
	}
	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
#pragma unroll
	for (int i = 0; i < 12; i++) {
		if (*v & (1 << i))
			*v += i;
		else
			*v ^= i;
	}
	return *v & 1;
}

/* a slot that stays live (read after the join): no pruning on it */
SEC("tc")
int live_slot_in_callee(struct __sk_buff *skb)
{
	__u32 key = 0, sel = skb->mark;
	__u64 tmp = 0, *v;

	if (sel & 1) {
		tmp = sel * 7;
		bpf_map_update_elem(&vals, &key, &tmp, BPF_ANY);
	}
	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 0;
	bpf_map_update_elem(&vals, &key, &tmp, BPF_ANY);
	return *v & 1;
}
