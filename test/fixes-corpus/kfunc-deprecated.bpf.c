// bpf_cpumask_any was renamed bpf_cpumask_any_distribute in Linux 6.4: newer kernels refuse the old name.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_setall(struct bpf_cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_any(const struct cpumask *cpumask) __ksym;

SEC("syscall")
int pick_cpu(void *ctx)
{
	struct bpf_cpumask *mask = bpf_cpumask_create();
	u32 cpu;

	if (!mask)
		return 0;
	bpf_cpumask_setall(mask);
	cpu = bpf_cpumask_any((const struct cpumask *) mask);
	bpf_cpumask_release(mask);
	return cpu;
}

char LICENSE[] SEC("license") = "GPL";
