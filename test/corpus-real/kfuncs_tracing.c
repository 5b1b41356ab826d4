// kfuncs from tracing programs: task acquire/release, RCU sections, cgroup ancestors,
// and the reference mistakes around them.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

SEC("tp_btf/task_newtask")
int BPF_PROG(kf_acquire_release, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

/* Mistake: acquired task never released. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kf_acquire_leak, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	if (!t)
		return 0;
	return t->pid == 1;
}

/* Mistake: the acquired pointer may be NULL. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kf_acquire_unchecked, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(kf_task_from_pid, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_printk("init comm %s", t->comm);
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(kf_rcu_parent, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *parent;
	int pid = 0;

	bpf_rcu_read_lock();
	parent = task->real_parent;
	if (parent)
		pid = parent->pid;
	bpf_rcu_read_unlock();
	return pid == 1;
}

/* Mistake: RCU section left open. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kf_rcu_unbalanced, struct task_struct *task, u64 clone_flags)
{
	bpf_rcu_read_lock();
	return task->pid;
}

/* Mistake: passing an untrusted walked pointer to a kfunc that needs a trusted one. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kf_untrusted_arg, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task->group_leader->real_parent);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(kf_current_acquire, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct task_struct *t = bpf_task_acquire(cur);

	if (t)
		bpf_task_release(t);
	return 0;
}
