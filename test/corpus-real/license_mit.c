// A non-GPL program (Dual MIT/BSD is not GPL-compatible) calling GPL-only helpers by mistake.
#include "common.h"

char LICENSE[] SEC("license") = "Dual MIT/BSD";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("kprobe/do_unlinkat")
int mit_probe_read(struct pt_regs *ctx)
{
	char name[32];

	bpf_probe_read_kernel_str(name, sizeof(name), (void *)PT_REGS_PARM2(ctx));
	return 0;
}

SEC("kprobe/do_unlinkat")
int mit_printk(struct pt_regs *ctx)
{
	bpf_printk("unlink");
	return 0;
}

SEC("kprobe/do_unlinkat")
int mit_ringbuf_ok(struct pt_regs *ctx)
{
	u64 v = bpf_get_current_pid_tgid();

	bpf_ringbuf_output(&rb, &v, sizeof(v), 0);
	return 0;
}

SEC("xdp")
int mit_xdp_ok(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(mit_tp_btf_deref, bool preempt, struct task_struct *prev)
{
	return prev->pid == 0;
}

SEC("kprobe/do_unlinkat")
int mit_current_task(struct pt_regs *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return t != 0;
}
