// Global (non-static) functions, verified on their own with only their BTF prototypes known.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct gstats {
	u64 count;
	u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct gstats);
} st SEC(".maps");

__noinline int record(u32 idx, u64 val)
{
	struct gstats *s = bpf_map_lookup_elem(&st, &idx);

	if (!s)
		return -1;
	s->count++;
	s->sum += val;
	return 0;
}

SEC("kprobe/vfs_read")
int global_record(struct pt_regs *ctx)
{
	return record(1, PT_REGS_PARM3(ctx)) < 0;
}

/* Global function taking a pointer: it must handle NULL itself. */
__noinline int sum_buf(const u8 *buf, int len)
{
	int i, s = 0;

	if (!buf)
		return 0;
	for (i = 0; i < 16 && i < len; i++)
		s += buf[i];
	return s;
}

SEC("kprobe/vfs_read")
int global_sum_buf(struct pt_regs *ctx)
{
	u8 buf[16] = {};

	bpf_probe_read_kernel(buf, sizeof(buf), (void *)PT_REGS_PARM2(ctx));
	return sum_buf(buf, sizeof(buf)) & 1;
}

/* Mistake: a global function dereferences its pointer argument without a NULL check. */
__noinline int first_byte(const u8 *buf)
{
	return buf[0];
}

SEC("kprobe/vfs_read")
int global_no_null_check(struct pt_regs *ctx)
{
	u8 buf[4] = {};

	return first_byte(buf);
}

/* Mistake: a global function reads past the pointed-to type's size. */
__noinline int read_second_u32(u32 *p)
{
	if (!p)
		return 0;
	return p[1];
}

SEC("kprobe/vfs_read")
int global_oob(struct pt_regs *ctx)
{
	u32 v[2] = {};

	return read_second_u32(v);
}

/* Global functions taking the context. */
__noinline int is_ipv4(struct __sk_buff *skb)
{
	return skb->protocol == bpf_htons(ETH_P_IP);
}

SEC("tc")
int global_ctx_arg(struct __sk_buff *skb)
{
	return is_ipv4(skb) ? TC_ACT_OK : TC_ACT_SHOT;
}

/* Mistake: a global function receives a packet pointer where the prototype says a u8 pointer
 * to memory. */
__noinline int pkt_first(u8 *p)
{
	return p ? *p : 0;
}

SEC("xdp")
int global_pkt_arg(struct xdp_md *ctx)
{
	u8 *data = (void *)(long)ctx->data;
	u8 *end = (void *)(long)ctx->data_end;

	if (data + 1 > end)
		return XDP_PASS;
	return pkt_first(data) ? XDP_PASS : XDP_DROP;
}

/* Static subprogram: checked in the caller's context, so no NULL check is needed here. */
static __noinline int static_first(const u8 *buf)
{
	return buf[0];
}

SEC("kprobe/vfs_read")
int static_subprog(struct pt_regs *ctx)
{
	u8 buf[4] = { 1 };

	return static_first(buf);
}

/* Global function returning a value the caller uses as an index. */
__noinline int clamp_idx(int v)
{
	return v & 15;
}

SEC("kprobe/vfs_read")
int global_ret_index(struct pt_regs *ctx)
{
	u32 idx = clamp_idx(PT_REGS_PARM3(ctx));
	struct gstats *s = bpf_map_lookup_elem(&st, &idx);

	if (s)
		s->count++;
	return 0;
}

/* Mistake: the global function's return value is unbounded, but used as an array index. */
__noinline int raw_idx(int v)
{
	return v;
}

SEC("kprobe/vfs_read")
int global_ret_unbounded(struct pt_regs *ctx)
{
	u32 zero = 0;
	struct gstats *s = bpf_map_lookup_elem(&st, &zero);
	int i = raw_idx(PT_REGS_PARM3(ctx));

	if (!s)
		return 0;
	return ((u8 *)s)[i];
}
