// Tail calls made while a ring buffer record is reserved: tools that hand over to an optional
// next stage (an OpenTelemetry exporter program, a stack collector) from a helper function, and
// the same hand-over done from the probe itself.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct event {
	u32 pid;
	u64 ts;
	u64 ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} next_stage SEC(".maps");

static __noinline int hand_over(struct pt_regs *ctx)
{
	bpf_tail_call(ctx, &next_stage, 0);
	return 0;
}

SEC("uretprobe/libc:malloc")
int malloc_exit_subprog_tail(struct pt_regs *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ts = bpf_ktime_get_ns();
	e->ret = PT_REGS_RC(ctx);
	hand_over(ctx);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uretprobe/libc:malloc")
int malloc_exit_inline_tail(struct pt_regs *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_tail_call(ctx, &next_stage, 0);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uretprobe/libc:malloc")
int malloc_exit_tail_after_submit(struct pt_regs *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->ret = PT_REGS_RC(ctx);
	bpf_ringbuf_submit(e, 0);
	bpf_tail_call(ctx, &next_stage, 1);
	return 0;
}
