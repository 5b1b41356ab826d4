// Ring buffer patterns: reserve/submit across branches, discard on error paths, dynptr records,
// variable-size output, and reservation misuse.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} rb SEC(".maps");

struct ev {
	u32 pid;
	u32 len;
	char data[64];
};

SEC("kprobe/vfs_write")
int rb_discard_on_error(struct pt_regs *ctx)
{
	struct ev *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	long n;

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	n = bpf_probe_read_user(e->data, sizeof(e->data), (void *)PT_REGS_PARM2(ctx));
	if (n < 0) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Mistake: writing past the reserved size. */
SEC("kprobe/vfs_write")
int rb_write_past_reservation(struct pt_regs *ctx)
{
	u32 *p = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!p)
		return 0;
	p[2] = 1;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

/* Mistake: a non-constant reservation size. */
SEC("kprobe/vfs_write")
int rb_var_size_reserve(struct pt_regs *ctx)
{
	u64 sz = PT_REGS_PARM3(ctx) & 0xff;
	char *p = bpf_ringbuf_reserve(&rb, sz, 0);

	if (!p)
		return 0;
	bpf_ringbuf_submit(p, 0);
	return 0;
}

/* Reservation held across a bpf-to-bpf call. */
static __noinline void fill(struct ev *e)
{
	e->pid = bpf_get_current_pid_tgid();
	e->len = 0;
}

SEC("kprobe/vfs_write")
int rb_reserve_call_submit(struct pt_regs *ctx)
{
	struct ev *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	fill(e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Mistake: submitting a pointer that is not the reservation's start. */
SEC("kprobe/vfs_write")
int rb_submit_offset(struct pt_regs *ctx)
{
	struct ev *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	bpf_ringbuf_submit(&e->len, 0);
	return 0;
}

SEC("kprobe/vfs_write")
int rb_dynptr(struct pt_regs *ctx)
{
	struct bpf_dynptr ptr;
	u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		return 0;
	}
	bpf_dynptr_write(&ptr, 0, &pid, sizeof(pid), 0);
	bpf_ringbuf_submit_dynptr(&ptr, 0);
	return 0;
}

/* Mistake: the dynptr is not released on the failure path. */
SEC("kprobe/vfs_write")
int rb_dynptr_leak(struct pt_regs *ctx)
{
	struct bpf_dynptr ptr;

	if (bpf_ringbuf_reserve_dynptr(&rb, 16, 0, &ptr))
		return 0;
	bpf_ringbuf_submit_dynptr(&ptr, 0);
	return 0;
}

SEC("kprobe/vfs_write")
int rb_query(struct pt_regs *ctx)
{
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > 4096;
}

/* Mistake: bpf_ringbuf_output with a ring buffer map given where a hash is expected, and vice
 * versa: perf output into a ringbuf. */
SEC("kprobe/vfs_write")
int rb_perf_output_into_ringbuf(struct pt_regs *ctx)
{
	u32 v = 1;

	bpf_perf_event_output(ctx, &rb, BPF_F_CURRENT_CPU, &v, sizeof(v));
	return 0;
}

SEC("kprobe/vfs_write")
int rb_reserve_both_branches(struct pt_regs *ctx)
{
	struct ev *e;

	if (PT_REGS_PARM3(ctx) > 100) {
		e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
		if (!e)
			return 0;
		e->len = 100;
	} else {
		e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
		if (!e)
			return 0;
		e->len = PT_REGS_PARM3(ctx);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
