// Kernel objects (BTF pointers) handed to helpers and kfuncs from tp_btf programs: what a walk
// through a union yields, how much of a member a helper may read, helpers that would write into a
// kernel object, struct types a helper expects, and kfuncs a kfunc set's filter withholds.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} sk_stor SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} cg_stor SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} task_stor SEC(".maps");

extern int bpf_sock_destroy(struct sock_common *sk) __ksym;

/* The socket a tracepoint hands over is trusted: fine for socket storage. */
SEC("tp_btf/tcp_probe")
int BPF_PROG(sk_storage_of_arg, struct sock *sk, struct sk_buff *skb)
{
	u64 *v = bpf_sk_storage_get(&sk_stor, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	return v ? 1 : 0;
}

/* Mistake: skb->next sits in a union of several members: the pointer read is untrusted. */
SEC("tp_btf/tcp_probe")
int BPF_PROG(sk_storage_of_union_field, struct sock *sk, struct sk_buff *skb)
{
	bpf_sk_storage_get(&sk_stor, skb->next, 0, 0);
	return 0;
}

/* The whole comm array is a read-only string for bpf_strncmp. */
SEC("tp_btf/task_newtask")
int BPF_PROG(comm_strncmp, struct task_struct *task, u64 clone_flags)
{
	return bpf_strncmp(task->comm, TASK_COMM_LEN, "init") == 0;
}

/* Mistake: one byte more than comm holds. */
SEC("tp_btf/task_newtask")
int BPF_PROG(comm_strncmp_too_long, struct task_struct *task, u64 clone_flags)
{
	return bpf_strncmp(task->comm, TASK_COMM_LEN + 1, "init") == 0;
}

/* Mistake: starting one byte in, the full length runs past comm. */
SEC("tp_btf/task_newtask")
int BPF_PROG(comm_strncmp_shifted, struct task_struct *task, u64 clone_flags)
{
	return bpf_strncmp(task->comm + 1, TASK_COMM_LEN, "init") == 0;
}

/* Reading comm into the stack is fine (the source of a probe read is any pointer). */
SEC("tp_btf/task_newtask")
int BPF_PROG(comm_probe_read, struct task_struct *task, u64 clone_flags)
{
	char buf[TASK_COMM_LEN];

	bpf_probe_read_kernel(buf, sizeof(buf), task->comm);
	return buf[0];
}

/* Mistake: a probe read may not write into a kernel object. */
SEC("tp_btf/task_newtask")
int BPF_PROG(comm_probe_read_into_task, struct task_struct *task, u64 clone_flags)
{
	bpf_probe_read_kernel(task->comm, TASK_COMM_LEN, task->comm);
	return 0;
}

/* Task storage for the task itself. */
SEC("tp_btf/task_newtask")
int BPF_PROG(task_storage_of_task, struct task_struct *task, u64 clone_flags)
{
	long *v = bpf_task_storage_get(&task_stor, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	return v ? 1 : 0;
}

/* Mistake: a task cast to a cgroup is still a task for the cgroup storage helper. */
SEC("tp_btf/task_newtask")
int BPF_PROG(cgrp_storage_of_task, struct task_struct *task, u64 clone_flags)
{
	bpf_cgrp_storage_get(&cg_stor, (struct cgroup *)task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	return 0;
}

/* Mistake: bpf_sock_destroy is for socket iterators only, not for tracepoints. */
SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(sock_destroy_from_tracepoint, struct sock *sk)
{
	bpf_sock_destroy((struct sock_common *)sk);
	return 0;
}

/* A socket iterator may destroy the socket it visits. */
SEC("iter/tcp")
int sock_destroy_from_iter(struct bpf_iter__tcp *ctx)
{
	struct sock_common *sk = ctx->sk_common;

	if (!sk)
		return 0;
	bpf_sock_destroy(sk);
	return 0;
}

/* The same for a UDP socket iterator. */
SEC("iter/udp")
int sock_destroy_from_udp_iter(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp_sk = ctx->udp_sk;

	if (!udp_sk)
		return 0;
	bpf_sock_destroy((struct sock_common *)udp_sk);
	return 0;
}
