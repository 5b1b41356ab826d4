// Syscall kprobes via BPF_KSYSCALL and the x86 __x64_sys_ wrappers (args through the inner pt_regs).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("ksyscall/kill")
int BPF_KSYSCALL(ksys_kill, pid_t pid, int sig)
{
	return sig == 9 && pid == 1;
}

SEC("kprobe/__x64_sys_openat")
int BPF_KPROBE(x64_openat, struct pt_regs *regs)
{
	const char *path;
	char buf[64];

	path = (const char *)PT_REGS_PARM2_CORE(regs);
	bpf_probe_read_user_str(buf, sizeof(buf), path);
	return buf[0] == '/';
}

/* Mistake: dereferencing the inner pt_regs directly (it is a kernel pointer, not ctx). */
SEC("kprobe/__x64_sys_openat")
int BPF_KPROBE(x64_openat_direct, struct pt_regs *regs)
{
	return regs->si != 0;
}

SEC("kretprobe/__x64_sys_openat")
int BPF_KRETPROBE(x64_openat_ret, long ret)
{
	return ret < 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int raw_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	return ctx->id == 59;
}

/* Mistake: tracepoint context read past its end. */
SEC("tracepoint/raw_syscalls/sys_enter")
int raw_sys_enter_oob(struct trace_event_raw_sys_enter *ctx)
{
	return ((u64 *)ctx)[8] != 0;
}

/* Mistake: writing the tracepoint context. */
SEC("tracepoint/raw_syscalls/sys_enter")
int raw_sys_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	ctx->id = 0;
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP_)
		return 0;
	return ctx->newstate == 7 /* TCP_CLOSE */ && ctx->family == AF_INET;
}

SEC("tracepoint/sched/sched_process_exec")
int sched_exec_data_loc(struct trace_event_raw_sched_process_exec *ctx)
{
	unsigned short off = ctx->__data_loc_filename & 0xffff;
	char buf[32];

	bpf_probe_read_kernel_str(buf, sizeof(buf), (void *)ctx + off);
	return buf[0] == '/';
}
