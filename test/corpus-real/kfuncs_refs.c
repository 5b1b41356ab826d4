// kfunc reference tracking in tp_btf programs: acquire/release pairs, NULL checks on KF_RET_NULL
// results, releasing what was never acquired, and NULL passed to trusted arguments.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;

/* Mistake: releasing the program's own (trusted, unreferenced) argument. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_release_unacquired, struct task_struct *task, u64 clone_flags)
{
	bpf_task_release(task);
	return 0;
}

/* Mistake: NULL passed straight to a trusted argument. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_acquire_null, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire((struct task_struct *)0);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* Mistake: dereferencing a KF_RET_NULL result before the check. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_from_pid_deref, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_from_pid(1);
	int pid = t->pid;

	if (t)
		bpf_task_release(t);
	return pid;
}

/* Mistake: released twice. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_double_release, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	if (!t)
		return 0;
	bpf_task_release(t);
	bpf_task_release(t);
	return 0;
}

/* Mistake: use after release. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_use_after_release, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);
	int pid;

	if (!t)
		return 0;
	bpf_task_release(t);
	pid = t->pid;
	return pid;
}

/* Mistake: leaked on one branch only. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_leak_branch, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	if (!t)
		return 0;
	if (t->pid == 1)
		return 1;
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(kr_cgroup_chain, struct task_struct *task, u64 clone_flags)
{
	struct cgroup *cg, *anc;
	int level = 0;

	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	anc = bpf_cgroup_ancestor(cg, 0);
	if (anc) {
		level = anc->level;
		bpf_cgroup_release(anc);
	}
	bpf_cgroup_release(cg);
	return level;
}

/* Mistake: the ancestor is released with the wrong cgroup (the child leaks, the ancestor too). */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_cgroup_leak, struct task_struct *task, u64 clone_flags)
{
	struct cgroup *cg, *anc;

	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	anc = bpf_cgroup_ancestor(cg, 0);
	if (anc)
		bpf_cgroup_release(anc);
	return 0;
}

/* Mistake: ancestor of a maybe-NULL cgroup. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_cgroup_unchecked, struct task_struct *task, u64 clone_flags)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);
	struct cgroup *anc = bpf_cgroup_ancestor(cg, 0);

	if (anc)
		bpf_cgroup_release(anc);
	if (cg)
		bpf_cgroup_release(cg);
	return 0;
}

/* Acquiring again from an acquired pointer, both released. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kr_acquire_twice, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *a = bpf_task_acquire(task);
	struct task_struct *b;

	if (!a)
		return 0;
	b = bpf_task_acquire(a);
	bpf_task_release(a);
	if (b)
		bpf_task_release(b);
	return 0;
}
