// Open-coded iterators other than bpf_iter_num: tasks, task VMAs and bits, the way bpf_for_each
// spells them, and the usual mistakes (never destroyed, used before bpf_iter_*_new, constructed
// twice, iterating tasks outside an RCU section in a sleepable program).
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task__nullable, unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const u64 *unsafe_ptr__ign, u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

#define BPF_TASK_ITER_ALL_PROCS 0

SEC("tp_btf/task_newtask")
int BPF_PROG(it_count_tasks, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n = 0;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		if (t->pid == 1)
			n++;
		if (n > 100)
			break;
	}
	bpf_iter_task_destroy(&it);
	return n;
}

/* Mistake: the iterator is never destroyed. */
SEC("tp_btf/task_newtask")
int BPF_PROG(it_task_leak, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	t = bpf_iter_task_next(&it);
	return t ? t->pid : 0;
}

/* Mistake: next before new. */
SEC("tp_btf/task_newtask")
int BPF_PROG(it_next_uninit, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	t = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	return t ? 1 : 0;
}

/* Mistake: constructed twice. */
SEC("tp_btf/task_newtask")
int BPF_PROG(it_new_twice, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	bpf_iter_task_destroy(&it);
	return 0;
}

/* Mistake: the element is used without the NULL check. */
SEC("tp_btf/task_newtask")
int BPF_PROG(it_next_no_check, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int pid;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	t = bpf_iter_task_next(&it);
	pid = t->pid;
	bpf_iter_task_destroy(&it);
	return pid;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(it_acquire_element, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task it;
	struct task_struct *t, *got = NULL;

	bpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);
	t = bpf_iter_task_next(&it);
	if (t)
		got = bpf_task_acquire(t);
	bpf_iter_task_destroy(&it);
	if (got)
		bpf_task_release(got);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(it_vmas, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *v;
	u64 total = 0;
	int i = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((v = bpf_iter_task_vma_next(&it)) && i++ < 64)
		total += v->vm_end - v->vm_start;
	bpf_iter_task_vma_destroy(&it);
	return total > 0;
}

u64 it_mask[2];

SEC("tp_btf/task_newtask")
int BPF_PROG(it_bits, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_bits it;
	int *bit, sum = 0;

	bpf_iter_bits_new(&it, it_mask, 2);
	while ((bit = bpf_iter_bits_next(&it)))
		sum += *bit;
	bpf_iter_bits_destroy(&it);
	return sum;
}

/* Mistake: writing through the bit number (read-only memory). */
SEC("tp_btf/task_newtask")
int BPF_PROG(it_bits_write, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_bits it;
	int *bit;

	bpf_iter_bits_new(&it, it_mask, 2);
	bit = bpf_iter_bits_next(&it);
	if (bit)
		*bit = 0;
	bpf_iter_bits_destroy(&it);
	return 0;
}

/* Mistake: destroying an iterator of another kind. */
SEC("tp_btf/task_newtask")
int BPF_PROG(it_wrong_destroy, struct task_struct *task, u64 clone_flags)
{
	struct bpf_iter_bits it;

	bpf_iter_bits_new(&it, it_mask, 2);
	bpf_iter_task_destroy((struct bpf_iter_task *)&it);
	return 0;
}

/* Sleepable: task iteration needs an RCU read-side section. */
SEC("syscall")
int it_sleepable_no_rcu(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n = 0;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	t = bpf_iter_task_next(&it);
	if (t)
		n = 1;
	bpf_iter_task_destroy(&it);
	return n;
}

SEC("syscall")
int it_sleepable_rcu(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	t = bpf_iter_task_next(&it);
	if (t)
		n = 1;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return n;
}
