#include "common.h"
struct task_struct { int pid; };
struct cgroup;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_no_such_kfunc_x(void) __ksym __weak;
extern const int bpf_prog_active __ksym;
extern const void _stext __ksym; /* typeless: its address comes from /proc/kallsyms */
extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern char CONFIG_LOCALVERSION[16] __kconfig __weak;
extern __u64 CONFIG_HZ __kconfig __weak;

SEC("tp_btf/task_newtask") int kf(__u64 *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	if (t) {
		struct task_struct *a = bpf_task_acquire(t);
		if (a) bpf_task_release(a);
		bpf_task_release(t);
	}
	if (&bpf_no_such_kfunc_x != 0)
		bpf_no_such_kfunc_x();
	int *active = bpf_this_cpu_ptr(&bpf_prog_active);
	return LINUX_KERNEL_VERSION + CONFIG_BPF_SYSCALL + CONFIG_LOCALVERSION[0] + CONFIG_HZ + *active + (int)((long)&_stext >> 12);
}
char LICENSE[] SEC("license") = "GPL";
