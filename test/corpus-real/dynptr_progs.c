// Dynptrs: ring buffer dynptrs (reserve/submit/discard, slices from bpf_dynptr_data), local dynptrs
// over map values, skb/xdp dynptrs with bpf_dynptr_slice(_rdwr), clones, and the mistakes people
// make with them (uninitialised or overwritten dynptrs, slices used after release, missing NULL
// checks, releasing what is not a reservation).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *xdp, u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, u32 offset, void *buffer__opt, u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *ptr, u32 offset, void *buffer__opt, u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *ptr, u32 start, u32 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *ptr) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *ptr, struct bpf_dynptr *clone__uninit) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} dp_rb SEC(".maps");

struct dp_val {
	char buf[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct dp_val);
} dp_arr SEC(".maps");

SEC("kprobe/vfs_read")
int dp_rb_data_ok(struct pt_regs *ctx)
{
	struct bpf_dynptr d;
	u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 16);
	if (!p) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	p[0] = bpf_get_current_pid_tgid();
	p[1] = 1;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* Mistake: the slice is used after the record was submitted. */
SEC("kprobe/vfs_read")
int dp_rb_slice_after_submit(struct pt_regs *ctx)
{
	struct bpf_dynptr d;
	u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 16);
	if (!p) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	bpf_ringbuf_submit_dynptr(&d, 0);
	p[0] = 1;
	return 0;
}

/* Mistake: the slice is read past its size. */
SEC("kprobe/vfs_read")
int dp_rb_slice_oob(struct pt_regs *ctx)
{
	struct bpf_dynptr d;
	u64 *p;
	u64 v = 0;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (p)
		v = p[1];
	bpf_ringbuf_discard_dynptr(&d, 0);
	return v;
}

/* Mistake: no NULL check on the slice. */
SEC("kprobe/vfs_read")
int dp_rb_slice_no_null_check(struct pt_regs *ctx)
{
	struct bpf_dynptr d;
	u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	*p = 1;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* Mistake: reading from a dynptr that was never initialised. */
SEC("kprobe/vfs_read")
int dp_read_uninit(struct pt_regs *ctx)
{
	struct bpf_dynptr d;
	char buf[8];

	bpf_dynptr_read(buf, sizeof(buf), &d, 0, 0);
	return buf[0];
}

/* Mistake: the dynptr's stack memory is overwritten while the reservation is live. */
SEC("kprobe/vfs_read")
int dp_overwrite_referenced(struct pt_regs *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	*(volatile u64 *)&d = 0;
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

/* Mistake: reserving twice into the same dynptr. */
SEC("kprobe/vfs_read")
int dp_reserve_twice(struct pt_regs *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("kprobe/vfs_read")
int dp_local_ok(struct pt_regs *ctx)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	struct bpf_dynptr d;
	char out[8];
	u32 pid = bpf_get_current_pid_tgid();

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v->buf, sizeof(v->buf), 0, &d);
	bpf_dynptr_write(&d, 0, &pid, sizeof(pid), 0);
	bpf_dynptr_read(out, sizeof(out), &d, 8, 0);
	return out[0] + bpf_dynptr_size(&d);
}

/* Mistake: a local dynptr is not a ring buffer reservation. */
SEC("kprobe/vfs_read")
int dp_local_submit(struct pt_regs *ctx)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	struct bpf_dynptr d;

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v->buf, sizeof(v->buf), 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* Overwriting a local dynptr destroys it; using it afterwards is the mistake. */
SEC("kprobe/vfs_read")
int dp_local_overwritten_use(struct pt_regs *ctx)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	struct bpf_dynptr d;
	char out[4];

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v->buf, sizeof(v->buf), 0, &d);
	*(volatile u32 *)&d = 7;
	bpf_dynptr_read(out, sizeof(out), &d, 0, 0);
	return out[0];
}

SEC("kprobe/vfs_read")
int dp_local_slice_ok(struct pt_regs *ctx)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	struct bpf_dynptr d;
	u32 *p;

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v->buf, sizeof(v->buf), 0, &d);
	bpf_dynptr_adjust(&d, 4, 32);
	p = bpf_dynptr_data(&d, 0, 4);
	if (!p)
		return 0;
	*p = 5;
	return bpf_dynptr_is_null(&d);
}

SEC("tc")
int dp_skb_slice_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;

	if (bpf_dynptr_from_skb(skb, 0, &d))
		return TC_ACT_OK;
	eth = bpf_dynptr_slice(&d, 0, &buf, sizeof(buf));
	if (!eth)
		return TC_ACT_SHOT;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? TC_ACT_OK : TC_ACT_SHOT;
}

/* Mistake: the slice is used without the NULL check. */
SEC("tc")
int dp_skb_slice_no_check(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;

	bpf_dynptr_from_skb(skb, 0, &d);
	eth = bpf_dynptr_slice(&d, 0, &buf, sizeof(buf));
	return eth->h_proto;
}

/* Mistake: writing through a read-only slice. */
SEC("tc")
int dp_skb_slice_write_rdonly(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;

	bpf_dynptr_from_skb(skb, 0, &d);
	eth = bpf_dynptr_slice(&d, 0, &buf, sizeof(buf));
	if (!eth)
		return TC_ACT_SHOT;
	eth->h_proto = 0;
	return TC_ACT_OK;
}

SEC("tc")
int dp_skb_slice_rdwr_ok(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;

	bpf_dynptr_from_skb(skb, 0, &d);
	eth = bpf_dynptr_slice_rdwr(&d, 0, &buf, sizeof(buf));
	if (!eth)
		return TC_ACT_SHOT;
	eth->h_dest[0] = 0xff;
	return TC_ACT_OK;
}

/* Mistake: the slice size must be a constant. */
SEC("tc")
int dp_skb_slice_var_size(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	char buf[32], *p;
	u32 n = skb->len & 31;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, n);
	return p ? p[0] : 0;
}

/* Mistake: the slice read past the buffer size. */
SEC("tc")
int dp_skb_slice_oob(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	char buf[4], *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	return p ? p[4] : 0;
}

SEC("xdp")
int dp_xdp_slice_ok(struct xdp_md *ctx)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;

	bpf_dynptr_from_xdp(ctx, 0, &d);
	eth = bpf_dynptr_slice(&d, 0, &buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	return eth->h_proto == bpf_htons(ETH_P_IPV6) ? XDP_PASS : XDP_DROP;
}

/* Mistake: an xdp dynptr from a tc program's context. */
SEC("cgroup_skb/ingress")
int dp_slice_rdwr_cgroup_skb(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	char buf[4], *p;

	bpf_dynptr_from_skb(skb, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, buf, sizeof(buf));
	if (p)
		p[0] = 0;
	return 1;
}

SEC("kprobe/vfs_read")
int dp_clone_ok(struct pt_regs *ctx)
{
	struct bpf_dynptr d, c;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_submit_dynptr(&c, 0);
	return 0;
}

/* Mistake: the clone is used after the original was released. */
SEC("kprobe/vfs_read")
int dp_clone_after_release(struct pt_regs *ctx)
{
	struct bpf_dynptr d, c;
	u32 v = 1;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_ringbuf_discard_dynptr(&d, 0);
	bpf_dynptr_write(&c, 0, &v, sizeof(v), 0);
	return 0;
}

/* Mistake: a dynptr pointer that is not on the stack. */
SEC("kprobe/vfs_read")
int dp_from_mem_into_map(struct pt_regs *ctx)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	char tmp[16] = {};

	if (!v)
		return 0;
	bpf_dynptr_from_mem(tmp, sizeof(tmp), 0, (struct bpf_dynptr *)v->buf);
	return 0;
}

/* Mistake: the skb slice is used after a helper that may move packet data. */
SEC("tc")
int dp_skb_slice_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;

	bpf_dynptr_from_skb(skb, 0, &d);
	eth = bpf_dynptr_slice(&d, 0, &buf, sizeof(buf));
	if (!eth)
		return TC_ACT_SHOT;
	bpf_skb_pull_data(skb, 64);
	return eth->h_proto;
}

/* Mistake: the slice is used after bpf_dynptr_write into the skb dynptr. */
SEC("tc")
int dp_skb_slice_after_write(struct __sk_buff *skb)
{
	struct bpf_dynptr d;
	struct ethhdr buf, *eth;
	u8 b = 1;

	bpf_dynptr_from_skb(skb, 0, &d);
	eth = bpf_dynptr_slice(&d, 0, &buf, sizeof(buf));
	if (!eth)
		return TC_ACT_SHOT;
	bpf_dynptr_write(&d, 0, &b, 1, 0);
	return eth->h_proto;
}

/* A local dynptr's slice survives packet changes. */
SEC("tc")
int dp_local_slice_after_pull(struct __sk_buff *skb)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	struct bpf_dynptr d;
	char *p;

	if (!v)
		return TC_ACT_OK;
	bpf_dynptr_from_mem(v->buf, sizeof(v->buf), 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (!p)
		return TC_ACT_OK;
	bpf_skb_pull_data(skb, 64);
	return p[0];
}

/* Mistake: a helper writes over a dynptr. */
SEC("kprobe/vfs_read")
int dp_helper_writes_over(struct pt_regs *ctx)
{
	u32 k = 0;
	struct dp_val *v = bpf_map_lookup_elem(&dp_arr, &k);
	struct bpf_dynptr d;

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v->buf, sizeof(v->buf), 0, &d);
	bpf_probe_read_kernel(&d, 8, (void *)PT_REGS_PARM1(ctx));
	return 0;
}
