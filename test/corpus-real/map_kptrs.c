// Kernel objects kept in map values as kptrs (struct task_struct __kptr *): bpf_kptr_xchg moves a
// reference in and hands the old one back, loads give an RCU pointer that may be NULL, and direct
// stores into a referenced kptr are refused.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef __kptr
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif
#ifndef __kptr_untrusted
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#endif

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

struct task_slot {
	struct task_struct __kptr *task;
	struct task_struct __kptr_untrusted *seen;
	u64 stamp;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, int);
	__type(value, struct task_slot);
} slots SEC(".maps");

static __always_inline struct task_slot *slot_of(int pid)
{
	struct task_slot zero = {};

	bpf_map_update_elem(&slots, &pid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&slots, &pid);
}

/* Stash a reference to the new task; release whatever was there. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_stash, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t, *old;
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	t = bpf_task_acquire(task);
	if (!t)
		return 0;
	old = bpf_kptr_xchg(&s->task, t);
	if (old)
		bpf_task_release(old);
	return 0;
}

/* Mistake: the old task handed back is never released. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_stash_leak, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t, *old;
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	t = bpf_task_acquire(task);
	if (!t)
		return 0;
	old = bpf_kptr_xchg(&s->task, t);
	return old != 0;
}

/* Mistake: a referenced kptr cannot be written directly. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_direct_store, struct task_struct *task, u64 clone_flags)
{
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	s->task = task;
	return 0;
}

/* Reading the stashed task inside the (implicit) RCU section, then taking a reference. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_load_acquire, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t;
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	t = s->task;
	if (!t)
		return 0;
	t = bpf_task_acquire(t);
	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

/* Mistake: the loaded kptr may be NULL. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_load_unchecked, struct task_struct *task, u64 clone_flags)
{
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	return s->task->pid;
}

/* Mistake: half a kptr. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_load_half, struct task_struct *task, u64 clone_flags)
{
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	return *(volatile u32 *)&s->task;
}

/* Mistake: bpf_kptr_xchg on a plain field. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_xchg_not_kptr, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *old;
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	old = bpf_kptr_xchg((void *)&s->stamp, NULL);
	if (old)
		bpf_task_release(old);
	return 0;
}

/* Mistake: an untrusted kptr is no place for bpf_kptr_xchg. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_xchg_untrusted_field, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *old;
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	old = bpf_kptr_xchg(&s->seen, NULL);
	if (old)
		bpf_task_release(old);
	return 0;
}

/* Clearing an untrusted kptr with NULL is fine; storing a trusted pointer there is not. */
SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_untrusted_clear, struct task_struct *task, u64 clone_flags)
{
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	s->seen = NULL;
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(kptr_untrusted_store_trusted, struct task_struct *task, u64 clone_flags)
{
	struct task_slot *s = slot_of(task->pid);

	if (!s)
		return 0;
	s->seen = task;
	return 0;
}
