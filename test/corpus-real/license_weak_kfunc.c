// A non-GPL object whose programs reference a kfunc marked __weak that the running kernel does not
// have. libbpf 1.1 leaves such a call as a kfunc call with imm 0, and the kernel's first pass over
// the instructions refuses any kfunc call from a non-GPL program, reachable or not; programs
// without a kfunc call load.
#include "common.h"

extern int bpfls_no_such_kfunc_here(int x) __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

SEC("socket")
int weak_missing_called(struct __sk_buff *skb)
{
	return bpfls_no_such_kfunc_here(skb->len);
}

SEC("socket")
int weak_missing_guarded(struct __sk_buff *skb)
{
	if (bpfls_no_such_kfunc_here)
		return bpfls_no_such_kfunc_here(skb->len);
	return 0;
}

SEC("tp_btf/sched_switch")
int weak_present_called(void *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("socket")
int no_kfunc_at_all(struct __sk_buff *skb)
{
	return skb->len > 64 ? 1 : 0;
}

char LICENSE[] SEC("license") = "MIT";
