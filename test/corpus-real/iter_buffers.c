// Iterator programs: a kernel struct's trailing flexible array is readable past the struct's size
// (unix socket addresses), and a map element's value is a buffer reached only at constant,
// non-negative offsets.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64[4]);
} stats SEC(".maps");

SEC("iter/unix")
int unix_first_path_byte(struct bpf_iter__unix *ctx)
{
	struct unix_sock *us = ctx->unix_sk;
	struct seq_file *seq = ctx->meta->seq;
	char c;

	if (!us || !us->addr)
		return 0;
	c = us->addr->name[0].sun_path[0];
	bpf_seq_write(seq, &c, 1);
	return 0;
}

SEC("iter/bpf_map_elem")
int sum_values(struct bpf_iter__bpf_map_elem *ctx)
{
	u64 *v = ctx->value;
	u64 sum;

	if (!v)
		return 0;
	sum = v[0] + v[3];
	bpf_seq_write(ctx->meta->seq, &sum, sizeof(sum));
	return 0;
}

/* reading before the value's start */
SEC("iter/bpf_map_elem")
int value_before_start(struct bpf_iter__bpf_map_elem *ctx)
{
	u32 *v = ctx->value;
	u32 x;

	if (!v)
		return 0;
	x = *(v - 1);
	bpf_seq_write(ctx->meta->seq, &x, sizeof(x));
	return 0;
}

/* an index the verifier cannot pin down */
SEC("iter/bpf_map_elem")
int value_var_index(struct bpf_iter__bpf_map_elem *ctx)
{
	u64 *v = ctx->value;
	u32 i = bpf_get_prandom_u32() & 3;
	u64 x;

	if (!v)
		return 0;
	x = v[i];
	bpf_seq_write(ctx->meta->seq, &x, sizeof(x));
	return 0;
}
