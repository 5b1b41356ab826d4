// What bpflint reports: probe-read, untyped-map-member, perfbuf-usage, an unrolled loop.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	long first;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct event));
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events SEC(".maps");

SEC("kprobe/do_nanosleep")
int trace_sleep(struct pt_regs *ctx)
{
	struct event e = {};
	long sum = 0;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_probe_read(&e.first, sizeof(e.first), (void *) ctx->rdi);
	e.pid = pid;
#pragma unroll
	for (int i = 0; i < 4; i++)
		sum += i * e.first;
	e.first = sum;
	bpf_map_update_elem(&seen, &pid, &e, BPF_ANY);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
