// Newer kfuncs through the generic BTF-prototype path: string kfuncs (__ign arguments), dynptr
// probe reads and copies, bpf_task_get_cgroup1 acquire/release.
#include "common.h"
char LICENSE[] SEC("license") = "GPL";
extern int bpf_strlen(const char *s__ign) __ksym __weak;
extern int bpf_strcmp(const char *s1__ign, const char *s2__ign) __ksym __weak;
extern int bpf_probe_read_kernel_dynptr(const struct bpf_dynptr *dptr, u64 off, u64 size, const void *unsafe_ptr__ign) __ksym __weak;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, u32 dst_off, struct bpf_dynptr *src_ptr, u32 src_off, u32 size) __ksym __weak;
extern struct cgroup *bpf_task_get_cgroup1(struct task_struct *task, int hierarchy_id) __ksym __weak;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } rbm SEC(".maps");
char name[16] = "hello";
SEC("tp_btf/task_newtask")
int BPF_PROG(m_str, struct task_struct *task, u64 clone_flags)
{
	return bpf_strlen(task->comm) + bpf_strcmp(task->comm, name);
}
SEC("tp_btf/task_newtask")
int BPF_PROG(m_probe_dynptr, struct task_struct *task, u64 clone_flags)
{
	struct bpf_dynptr d;
	bpf_ringbuf_reserve_dynptr(&rbm, 16, 0, &d);
	bpf_probe_read_kernel_dynptr(&d, 0, 16, task);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}
SEC("tp_btf/task_newtask")
int BPF_PROG(m_probe_dynptr_uninit, struct task_struct *task, u64 clone_flags)
{
	struct bpf_dynptr d;
	bpf_probe_read_kernel_dynptr(&d, 0, 16, task);
	return 0;
}
SEC("tp_btf/task_newtask")
int BPF_PROG(m_copy, struct task_struct *task, u64 clone_flags)
{
	struct bpf_dynptr a, b;
	bpf_ringbuf_reserve_dynptr(&rbm, 16, 0, &a);
	bpf_ringbuf_reserve_dynptr(&rbm, 16, 0, &b);
	bpf_dynptr_copy(&a, 0, &b, 0, 8);
	bpf_ringbuf_submit_dynptr(&a, 0);
	bpf_ringbuf_discard_dynptr(&b, 0);
	return 0;
}
SEC("tp_btf/task_newtask")
int BPF_PROG(m_cgroup1, struct task_struct *task, u64 clone_flags)
{
	struct cgroup *c = bpf_task_get_cgroup1(task, 1);
	if (c) bpf_cgroup_release(c);
	return 0;
}
SEC("tp_btf/task_newtask")
int BPF_PROG(m_cgroup1_leak, struct task_struct *task, u64 clone_flags)
{
	struct cgroup *c = bpf_task_get_cgroup1(task, 1);
	return c ? 1 : 0;
}
