// kfuncs beyond acquire/release pairs: program-type registration, allocated objects
// (bpf_obj_new/bpf_obj_drop), cpumasks, casts (bpf_cast_to_kern_ctx, bpf_rdonly_cast), trust of
// pointers walked out of trusted ones, sleepable kfuncs, and memory/size argument pairs.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym;
extern u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
extern int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void *unsafe_ptr__ign, u64 flags) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct node_data {
	long key;
	long data;
};

SEC("tc")
int ko_obj_new_drop(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return TC_ACT_OK;
	n->key = skb->len;
	n->data = n->key * 2;
	bpf_obj_drop(n);
	return TC_ACT_OK;
}

/* Mistake: the allocated object is never dropped. */
SEC("tc")
int ko_obj_new_leak(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return TC_ACT_OK;
	n->key = 1;
	return TC_ACT_OK;
}

/* Mistake: used before the NULL check. */
SEC("tc")
int ko_obj_new_no_check(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	n->key = 1;
	bpf_obj_drop(n);
	return TC_ACT_OK;
}

/* Mistake: dropped twice. */
SEC("tc")
int ko_obj_drop_twice(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return TC_ACT_OK;
	bpf_obj_drop(n);
	bpf_obj_drop(n);
	return TC_ACT_OK;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct node_data);
} ko_arr SEC(".maps");

/* Mistake: dropping a map value. */
SEC("tc")
int ko_obj_drop_map_value(struct __sk_buff *skb)
{
	u32 k = 0;
	struct node_data *v = bpf_map_lookup_elem(&ko_arr, &k);

	if (!v)
		return TC_ACT_OK;
	bpf_obj_drop(v);
	return TC_ACT_OK;
}

/* Mistake: writing past the allocated object. */
SEC("tc")
int ko_obj_oob(struct __sk_buff *skb)
{
	struct node_data *n = bpf_obj_new(typeof(*n));

	if (!n)
		return TC_ACT_OK;
	((long *)n)[2] = 1;
	bpf_obj_drop(n);
	return TC_ACT_OK;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(ko_cpumask_ok, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(0, m);
	if (bpf_cpumask_test_cpu(0, (const struct cpumask *)m))
		bpf_printk("cpu0");
	bpf_cpumask_release(m);
	return 0;
}

/* Mistake: the cpumask leaks. */
SEC("tp_btf/task_newtask")
int BPF_PROG(ko_cpumask_leak, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(1, m);
	return 0;
}

/* Mistake: the cpumask is used without the NULL check. */
SEC("tp_btf/task_newtask")
int BPF_PROG(ko_cpumask_no_check, struct task_struct *task, u64 clone_flags)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	bpf_cpumask_set_cpu(1, m);
	bpf_cpumask_release(m);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(ko_task_cpus_ptr, struct task_struct *task, u64 clone_flags)
{
	return bpf_cpumask_first(task->cpus_ptr);
}

/* Mistake: cpumask kfuncs are not registered for socket filters. */
SEC("socket")
int ko_cpumask_in_socket(struct __sk_buff *skb)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (m)
		bpf_cpumask_release(m);
	return 0;
}

/* Mistake: task kfuncs are not registered for socket filters either. */
SEC("socket")
int ko_task_from_pid_socket(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tc")
int ko_task_from_pid_tc(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(1);
	int pid = 0;

	if (t) {
		pid = t->pid;
		bpf_task_release(t);
	}
	return pid ? TC_ACT_OK : TC_ACT_SHOT;
}

/* Mistake: a pointer walked out of a task (not an RCU-safe field) is not trusted. */
SEC("tp_btf/task_newtask")
int BPF_PROG(ko_walked_parent, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task->parent);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(ko_walked_real_parent_ok, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task->real_parent);

	if (t)
		bpf_task_release(t);
	return 0;
}

/* Mistake: after bpf_rcu_read_unlock an RCU pointer is untrusted. */
SEC("tp_btf/task_newtask")
int BPF_PROG(ko_rcu_after_unlock, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *p, *t;

	bpf_rcu_read_lock();
	p = task->real_parent;
	bpf_rcu_read_unlock();
	t = bpf_task_acquire(p);
	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tc")
int ko_cast_to_kern_ctx(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);

	return skb->len > 100 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int ko_rdonly_cast(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);
	struct sock *sk = bpf_rdonly_cast(skb->sk, bpf_core_type_id_kernel(struct sock));

	if (!sk)
		return TC_ACT_OK;
	return sk->sk_mark ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Mistake: a read-only cast is read-only. */
SEC("tc")
int ko_rdonly_cast_write(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);
	struct sock *sk = bpf_rdonly_cast(skb->sk, bpf_core_type_id_kernel(struct sock));

	if (!sk)
		return TC_ACT_OK;
	sk->sk_mark = 1;
	return TC_ACT_OK;
}

/* Mistake: a sleepable kfunc in a non-sleepable program. */
SEC("kprobe/do_sys_openat2")
int ko_sleepable_in_kprobe(struct pt_regs *ctx)
{
	char buf[32];

	bpf_copy_from_user_str(buf, sizeof(buf), (void *)PT_REGS_PARM2(ctx), 0);
	return buf[0];
}

SEC("syscall")
int ko_copy_str_syscall(void *ctx)
{
	char buf[32];
	long n = bpf_copy_from_user_str(buf, sizeof(buf), ctx, 0);

	return n > 0 ? buf[0] : 0;
}

/* Mistake: the size is larger than the buffer. */
SEC("syscall")
int ko_copy_str_too_long(void *ctx)
{
	char buf[16];
	long n = bpf_copy_from_user_str(buf, 64, ctx, 0);

	return n > 0 ? buf[0] : 0;
}

/* Mistake: the size is not bounded. */
SEC("syscall")
int ko_copy_str_unbounded(void *ctx)
{
	char buf[16];
	u64 sz = bpf_get_prandom_u32();
	long n = bpf_copy_from_user_str(buf, sz, ctx, 0);

	return n > 0 ? buf[0] : 0;
}

/* Mistake: the task argument of a trusted kfunc may be NULL. */
SEC("syscall")
int ko_task_acquire_maybe_null(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	struct task_struct *t2 = bpf_task_acquire(t);

	if (t2)
		bpf_task_release(t2);
	if (t)
		bpf_task_release(t);
	return 0;
}

/* Mistake: a kfunc expecting a task given a cgroup. */
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

SEC("syscall")
int ko_wrong_struct(void *ctx)
{
	struct cgroup *c = bpf_cgroup_from_id(1);

	if (!c)
		return 0;
	bpf_task_release((struct task_struct *)c);
	return 0;
}

/* A kfunc without KF_TRUSTED_ARGS/KF_RCU given a walked (plain) task pointer: does 6.18 treat
 * every kfunc's pointer arguments as trusted by default? */
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, u64 value) __ksym;

SEC("tp_btf/task_newtask")
int BPF_PROG(ko_untrusted_to_plain_kfunc, struct task_struct *task, u64 clone_flags)
{
	return bpf_send_signal_task(task->parent, 0, PIDTYPE_PID, 0);
}

SEC("tp_btf/task_newtask")
int BPF_PROG(ko_trusted_to_plain_kfunc, struct task_struct *task, u64 clone_flags)
{
	return bpf_send_signal_task(task, 0, PIDTYPE_PID, 0);
}

extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;

SEC("tc")
int ko_preempt_ok(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return TC_ACT_OK;
}

/* Mistake: preemption left disabled. */
SEC("tc")
int ko_preempt_missing_enable(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	return TC_ACT_OK;
}

/* Mistake: enabling what was never disabled. */
SEC("tc")
int ko_preempt_unmatched_enable(struct __sk_buff *skb)
{
	bpf_preempt_enable();
	return TC_ACT_OK;
}

/* Conntrack lookups from tc: the tuple and options are memory/size pairs, the result a reference. */
struct bpf_ct_opts___ko {
	s32 netns_id;
	s32 error;
	u8 l4proto;
	u8 dir;
	u8 reserved[2];
};

extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz,
					 struct bpf_ct_opts___ko *opts, u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

SEC("tc")
int ko_ct_lookup_ok(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tup = {};
	struct bpf_ct_opts___ko opts = { .netns_id = -1, .l4proto = IPPROTO_TCP_ };
	struct nf_conn *ct;
	int mark = 0;

	ct = bpf_skb_ct_lookup(skb, &tup, sizeof(tup.ipv4), &opts, sizeof(opts));
	if (ct) {
		mark = ct->mark;
		bpf_ct_release(ct);
	}
	return mark ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Mistake: the conntrack entry is not released. */
SEC("tc")
int ko_ct_lookup_leak(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tup = {};
	struct bpf_ct_opts___ko opts = { .netns_id = -1, .l4proto = IPPROTO_TCP_ };
	struct nf_conn *ct;

	ct = bpf_skb_ct_lookup(skb, &tup, sizeof(tup.ipv4), &opts, sizeof(opts));
	return ct ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Mistake: the tuple size is larger than the tuple. */
SEC("tc")
int ko_ct_lookup_tuple_too_big(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tup = {};
	struct bpf_ct_opts___ko opts = { .netns_id = -1, .l4proto = IPPROTO_TCP_ };
	struct nf_conn *ct;

	ct = bpf_skb_ct_lookup(skb, &tup, sizeof(tup) + 8, &opts, sizeof(opts));
	if (ct)
		bpf_ct_release(ct);
	return TC_ACT_OK;
}

/* Mistake: conntrack kfuncs are not registered for kprobes. */
SEC("kprobe/tcp_v4_connect")
int ko_ct_release_kprobe(struct pt_regs *ctx)
{
	bpf_ct_release((struct nf_conn *)PT_REGS_PARM1(ctx));
	return 0;
}
