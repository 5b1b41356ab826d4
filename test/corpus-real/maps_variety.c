// Map kinds used by real projects: LRU hash, per-CPU hash, array of counters, map-in-map,
// spin-locked values, timers, queue/stack, bloom filter, task/inode storage.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct flow_acct {
	struct bpf_spin_lock lock;
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, u32);
	__type(value, struct flow_acct);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} pcpu SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { &inner_a },
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 64);
	__type(value, u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 1000);
	__type(value, u32);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} task_start SEC(".maps");

struct timer_val {
	struct bpf_timer t;
	u64 fired;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct timer_val);
} timers SEC(".maps");

SEC("tc")
int lru_spinlock_update(struct __sk_buff *skb)
{
	u32 key = skb->hash;
	struct flow_acct *st, zero = {};

	st = bpf_map_lookup_elem(&flows, &key);
	if (!st) {
		bpf_map_update_elem(&flows, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, &key);
		if (!st)
			return 0;
	}
	bpf_spin_lock(&st->lock);
	st->packets++;
	st->bytes += skb->len;
	bpf_spin_unlock(&st->lock);
	return 0;
}

/* Mistake: returning with the lock held. */
SEC("tc")
int lru_spinlock_leak(struct __sk_buff *skb)
{
	u32 key = skb->hash;
	struct flow_acct *st = bpf_map_lookup_elem(&flows, &key);

	if (!st)
		return 0;
	bpf_spin_lock(&st->lock);
	if (skb->len > 1000)
		return 1;
	st->packets++;
	bpf_spin_unlock(&st->lock);
	return 0;
}

/* Mistake: a helper call while holding the lock. */
SEC("tc")
int lru_spinlock_helper_inside(struct __sk_buff *skb)
{
	u32 key = skb->hash;
	struct flow_acct *st = bpf_map_lookup_elem(&flows, &key);

	if (!st)
		return 0;
	bpf_spin_lock(&st->lock);
	st->bytes = bpf_ktime_get_ns();
	bpf_spin_unlock(&st->lock);
	return 0;
}

SEC("kprobe/do_sys_openat2")
int pcpu_hash_count(struct pt_regs *ctx)
{
	u32 key = bpf_get_current_pid_tgid() >> 32;
	u64 *v, one = 1;

	v = bpf_map_lookup_elem(&pcpu, &key);
	if (v)
		(*v)++;
	else
		bpf_map_update_elem(&pcpu, &key, &one, BPF_ANY);
	return 0;
}

SEC("kprobe/do_sys_openat2")
int map_in_map_lookup(struct pt_regs *ctx)
{
	u32 okey = 0, ikey = 2;
	void *in;
	u64 *v;

	in = bpf_map_lookup_elem(&outer, &okey);
	if (!in)
		return 0;
	v = bpf_map_lookup_elem(in, &ikey);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

/* Mistake: the inner map pointer is used without its NULL check. */
SEC("kprobe/do_sys_openat2")
int map_in_map_unchecked(struct pt_regs *ctx)
{
	u32 okey = 0, ikey = 2;
	void *in = bpf_map_lookup_elem(&outer, &okey);
	u64 *v = bpf_map_lookup_elem(in, &ikey);

	return v != 0;
}

SEC("kprobe/do_sys_openat2")
int queue_push_pop(struct pt_regs *ctx)
{
	u32 v = bpf_get_prandom_u32(), out;

	bpf_map_push_elem(&queue, &v, BPF_EXIST);
	if (bpf_map_pop_elem(&queue, &out))
		return 0;
	return out & 1;
}

/* Mistake: lookup on a queue map. */
SEC("kprobe/do_sys_openat2")
int queue_lookup(struct pt_regs *ctx)
{
	u32 k = 0;

	return bpf_map_lookup_elem(&queue, &k) != 0;
}

SEC("kprobe/do_sys_openat2")
int bloom_check(struct pt_regs *ctx)
{
	u32 v = bpf_get_current_pid_tgid() >> 32;

	if (bpf_map_peek_elem(&bloom, &v) == 0)
		return 1;
	bpf_map_push_elem(&bloom, &v, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(task_storage_start, struct task_struct *p)
{
	u64 *ts = bpf_task_storage_get(&task_start, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(task_storage_delta, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	u64 *ts = bpf_task_storage_get(&task_start, next, 0, 0);

	if (!ts)
		return 0;
	bpf_printk("latency %llu", bpf_ktime_get_ns() - *ts);
	bpf_task_storage_delete(&task_start, next);
	return 0;
}

/* Mistake: task storage with a task pointer read from a raw tracepoint (not BTF-typed). */
SEC("raw_tp/sched_switch")
int task_storage_raw_ptr(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	u64 *ts = bpf_task_storage_get(&task_start, next, 0, 0);

	return ts != 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(task_storage_current, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	u64 *ts = bpf_task_storage_get(&task_start, cur, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (ts)
		(*ts)++;
	return 0;
}

static int timer_cb(void *map, int *key, struct timer_val *val)
{
	val->fired++;
	return 0;
}

SEC("tc")
int timer_arm(struct __sk_buff *skb)
{
	u32 key = 0;
	struct timer_val *v = bpf_map_lookup_elem(&timers, &key);

	if (!v)
		return 0;
	bpf_timer_init(&v->t, &timers, 1 /* CLOCK_MONOTONIC */);
	bpf_timer_set_callback(&v->t, timer_cb);
	bpf_timer_start(&v->t, 1000000, 0);
	return 0;
}

/* Mistake: the timer lives on the stack rather than in a map value. */
SEC("tc")
int timer_on_stack(struct __sk_buff *skb)
{
	struct bpf_timer t = {};

	bpf_timer_init(&t, &timers, 1);
	return 0;
}
