// Helpers a locked-down kernel withholds: tools that patch user memory from a probe (an enforcer
// rewriting a syscall argument, a sleepable uprobe scrubbing a buffer) are refused with the usual
// "cannot use helper" message, while the kernel-memory reads next to them stay available.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

const volatile int target_tgid = 0;

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(scrub_open_flags, int dfd, const char *filename)
{
	char zero[8] = {};

	if (target_tgid && (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	bpf_probe_write_user((void *)filename, zero, sizeof(zero));
	return 0;
}

SEC("uprobe.s")
int BPF_KPROBE(scrub_buffer_sleepable, void *buf, long len)
{
	char zero[16] = {};

	if (len < (long)sizeof(zero))
		return 0;
	bpf_probe_write_user(buf, zero, sizeof(zero));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int write_user_from_tp(struct trace_event_raw_sys_enter *ctx)
{
	u32 v = 0;

	bpf_probe_write_user((void *)ctx->args[1], &v, sizeof(v));
	return 0;
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(read_kernel_ok, int dfd, const char *filename)
{
	char name[32];
	struct task_struct *t = (void *)bpf_get_current_task();
	int pid = 0;

	bpf_probe_read_kernel(&pid, sizeof(pid), &t->pid);
	bpf_probe_read_user_str(name, sizeof(name), filename);
	return pid == 1 && name[0] == '/';
}
