// Tail calls through a program array, as dispatchers in packet pipelines use them.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u32);
} jmp_table SEC(".maps");

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, eth->h_proto == bpf_htons(ETH_P_IP) ? 1 : 2);
	return XDP_PASS;
}

SEC("xdp")
int xdp_dispatch_var_index(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp_table, ctx->rx_queue_index);
	return XDP_PASS;
}

/* Mistake: tail call while holding a ring buffer reservation. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("xdp")
int xdp_tail_call_with_ref(struct xdp_md *ctx)
{
	u64 *e = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!e)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, 0);
	bpf_ringbuf_discard(e, 0);
	return XDP_PASS;
}

/* Mistake: the tail call map is a plain array. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u32);
} not_progs SEC(".maps");

SEC("xdp")
int xdp_tail_call_wrong_map(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &not_progs, 0);
	return XDP_PASS;
}

SEC("kprobe/vfs_read")
int kprobe_tail_call(struct pt_regs *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 3);
	return 0;
}

static __noinline int sub_with_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, 0);
	return 1;
}

SEC("tc")
int tc_tail_call_in_subprog(struct __sk_buff *skb)
{
	return sub_with_tail(skb);
}
