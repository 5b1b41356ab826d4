// Loops the way current code writes them: bounded for loops, bpf_loop callbacks, bpf_for
// iterators, and the unbounded loops the verifier refuses.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_SLOTS 27

struct hist {
	u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct hist);
} hists SEC(".maps");

static __always_inline u64 log2l_(u64 v)
{
	u64 r = 0;

	while (v > 1 && r < 64) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("raw_tp/sched_wakeup")
int hist_bounded_while(u64 *ctx)
{
	u32 key = 0;
	static struct hist zero;
	struct hist *h;
	u64 slot = log2l_(bpf_ktime_get_ns() & 0xffffff);

	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
	}
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

/* Mistake: the slot is clamped with > instead of >=, one past the end of the array. */
SEC("raw_tp/sched_wakeup")
int hist_off_by_one(u64 *ctx)
{
	u32 key = 0;
	struct hist *h;
	u64 slot = log2l_(bpf_ktime_get_ns() & 0xffffff);

	h = bpf_map_lookup_elem(&hists, &key);
	if (!h)
		return 0;
	if (slot > MAX_SLOTS)
		slot = MAX_SLOTS;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

struct loop_ctx {
	u64 sum;
	u32 *data;
};

static long sum_cb(u32 i, void *c)
{
	struct loop_ctx *lc = c;

	lc->sum += i * 3;
	if (lc->sum > 1000)
		return 1;
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int bpf_loop_sum(void *ctx)
{
	struct loop_ctx lc = {};

	bpf_loop(100, sum_cb, &lc, 0);
	bpf_printk("sum %llu", lc.sum);
	return 0;
}

static long bad_ret_cb(u32 i, void *c)
{
	return 5;
}

/* Mistake: a bpf_loop callback must return 0 or 1. */
SEC("tp/syscalls/sys_enter_getpid")
int bpf_loop_bad_ret(void *ctx)
{
	bpf_loop(10, bad_ret_cb, NULL, 0);
	return 0;
}

struct buf_ctx {
	char buf[64];
	int n;
};

static long fill_cb(u32 i, struct buf_ctx *c)
{
	if (i >= sizeof(c->buf))
		return 1;
	c->buf[i] = 'a' + (i % 26);
	c->n++;
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int bpf_loop_fill(void *ctx)
{
	struct buf_ctx c = {};

	bpf_loop(1 << 20, fill_cb, &c, 0);
	return c.n;
}

static long fill_cb_nocheck(u32 i, struct buf_ctx *c)
{
	c->buf[i] = 'a';
	return 0;
}

/* Mistake: the callback indexes with the loop counter without a bound. */
SEC("tp/syscalls/sys_enter_getpid")
int bpf_loop_fill_nocheck(void *ctx)
{
	struct buf_ctx c = {};

	bpf_loop(64, fill_cb_nocheck, &c, 0);
	return c.n;
}

SEC("tp/syscalls/sys_enter_getpid")
int bpf_for_sum(void *ctx)
{
	int i, sum = 0;
	u32 arr[16] = {};

	bpf_for(i, 0, 16) {
		arr[i] = i;
		sum += arr[i];
	}
	return sum & 1;
}

SEC("tp/syscalls/sys_enter_getpid")
int bpf_for_map_walk(void *ctx)
{
	int i;
	u64 total = 0;

	bpf_for(i, 0, 64) {
		u32 key = i;
		struct hist *h = bpf_map_lookup_elem(&hists, &key);

		if (h)
			total += h->slots[0];
	}
	bpf_printk("%llu", total);
	return 0;
}

/* Mistake: bpf_for with an index used past its array bound. */
SEC("tp/syscalls/sys_enter_getpid")
int bpf_for_oob(void *ctx)
{
	int i, sum = 0;
	u32 arr[8] = {};

	bpf_for(i, 0, 9)
		sum += arr[i];
	return sum & 1;
}

/* Mistake: a loop whose bound depends on an unbounded value from a map. */
SEC("tp/syscalls/sys_enter_getpid")
int loop_map_bound(void *ctx)
{
	u32 key = 0, i;
	struct hist *h = bpf_map_lookup_elem(&hists, &key);
	u64 sum = 0;

	if (!h)
		return 0;
	for (i = 0; i < h->slots[0]; i++)
		sum += i;
	return sum & 1;
}

/* Mistake: an infinite loop (volatile keeps the compiler from folding it). */
SEC("tp/syscalls/sys_enter_getpid")
int loop_infinite(void *ctx)
{
	volatile int x = 0;

	while (x == 0)
		;
	return 0;
}

/* A loop bounded only by a counter the verifier tracks across iterations. */
SEC("tp/syscalls/sys_enter_getpid")
int loop_counted_1000(void *ctx)
{
	u32 i;
	u64 acc = bpf_get_prandom_u32();

	for (i = 0; i < 1000; i++) {
		acc = acc * 31 + i;
		if (acc == 12345)
			break;
	}
	return acc & 1;
}

/* String scan of a kernel buffer in a bounded loop with bpf_probe_read_kernel_str. */
SEC("raw_tp/sched_process_exec")
int loop_comm_scan(u64 *ctx)
{
	char comm[TASK_COMM_LEN];
	int i, dots = 0;

	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] == 0)
			break;
		if (comm[i] == '.')
			dots++;
	}
	return dots > 1;
}
