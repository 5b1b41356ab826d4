// Pointer mistakes: scalars where pointers are expected, pointer leaks, pointer arithmetic.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, u64);
	__type(value, u64);
} h SEC(".maps");

SEC("kprobe/vfs_read")
int scalar_as_key(struct pt_regs *ctx)
{
	u64 key = PT_REGS_PARM1(ctx);

	return bpf_map_lookup_elem(&h, (void *)key) != 0;
}

SEC("kprobe/vfs_read")
int pointer_as_value(struct pt_regs *ctx)
{
	u64 key = 1;
	u64 *v = bpf_map_lookup_elem(&h, &key);

	if (!v)
		return 0;
	bpf_map_update_elem(&h, &key, &v, BPF_ANY);
	return 0;
}

/* Storing a map value pointer into a map value leaks a kernel address (allowed for privileged
 * users as a spill of the value? no: stored into map memory). */
SEC("kprobe/vfs_read")
int pointer_store_in_value(struct pt_regs *ctx)
{
	u64 key = 1;
	u64 *v = bpf_map_lookup_elem(&h, &key);

	if (!v)
		return 0;
	*v = (u64)v;
	return 0;
}

SEC("kprobe/vfs_read")
int return_pointer(struct pt_regs *ctx)
{
	u64 key = 1;

	return (long)bpf_map_lookup_elem(&h, &key);
}

SEC("xdp")
int pkt_ptr_multiply(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	u8 *p = (u8 *)((long)data * 2);

	if ((void *)(p + 1) > end)
		return XDP_PASS;
	return *p;
}

SEC("kprobe/vfs_read")
int map_value_negative_index(struct pt_regs *ctx)
{
	u64 key = 1;
	u64 *v = bpf_map_lookup_elem(&h, &key);
	int i = PT_REGS_PARM3(ctx) & 0xf;

	if (!v)
		return 0;
	return v[i - 8] != 0;
}

SEC("kprobe/vfs_read")
int map_value_masked_index_ok(struct pt_regs *ctx)
{
	u64 key = 1;
	u8 *v = bpf_map_lookup_elem(&h, &key);
	u32 i = PT_REGS_PARM3(ctx) & 7;

	if (!v)
		return 0;
	return v[i];
}

SEC("kprobe/vfs_read")
int stack_ptr_compare(struct pt_regs *ctx)
{
	u64 a = 1, b = 2;
	u64 *p = PT_REGS_PARM1(ctx) ? &a : &b;

	return *p == 1;
}

SEC("kprobe/vfs_read")
int null_map_pointer_arith(struct pt_regs *ctx)
{
	u64 key = 1;
	u64 *v = bpf_map_lookup_elem(&h, &key);

	v += 1;
	if (!v)
		return 0;
	return *v != 0;
}

SEC("kprobe/vfs_read")
int uninit_var_read(struct pt_regs *ctx)
{
	u64 key;
	u64 *v;

	if (PT_REGS_PARM1(ctx))
		key = 1;
	v = bpf_map_lookup_elem(&h, &key);
	return v != 0;
}
