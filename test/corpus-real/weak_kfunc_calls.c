// A GPL object calling a kfunc marked __weak that the running kernel does not have: libbpf 1.1
// leaves the call with imm 0. The verifier steps over such a call (registers untouched) and, once
// the program is verified, refuses it if the call was reachable; a call behind a check of the
// kfunc's address is dead code and the program loads.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpfls_absent_kfunc(int x) __ksym __weak;

SEC("raw_tp/sys_enter")
int weak_absent_called(void *ctx)
{
	bpfls_absent_kfunc(1);
	return 0;
}

SEC("raw_tp/sys_enter")
int weak_absent_guarded(void *ctx)
{
	if (bpfls_absent_kfunc)
		return bpfls_absent_kfunc(1) & 1;
	return 0;
}

/* Verification finds the bad return value before the unresolved call is refused. */
SEC("cgroup_skb/egress")
int weak_absent_then_bad_return(struct __sk_buff *skb)
{
	bpfls_absent_kfunc(1);
	return 7;
}
