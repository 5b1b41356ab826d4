// "GPL v2" and "Dual BSD/GPL" are GPL-compatible license strings; helpers restricted to GPL work.
#include "common.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("kprobe/do_unlinkat")
int dual_probe_read(struct pt_regs *ctx)
{
	char name[32];

	return bpf_probe_read_kernel_str(name, sizeof(name), (void *)PT_REGS_PARM2(ctx)) > 0;
}

SEC("kprobe/do_unlinkat")
int dual_current_task_core(struct pt_regs *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, mm, exe_file, f_inode, i_ino) & 1;
}
