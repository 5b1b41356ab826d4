#include "common.h"
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, int); __type(value, __u64); } counters SEC(".maps");
struct elem { struct bpf_timer t; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct elem); } timers SEC(".maps");
__u64 seen;

static __u64 sum_cb(struct bpf_map *map, int *key, __u64 *val, void *ctx) { *(__u64 *)ctx += *val; return 0; }
static int timer_cb(void *map, int *key, struct elem *e) { seen++; return 0; }
static long loop_cb(__u32 i, void *ctx) { seen += i; return 0; }
__attribute__((visibility("hidden"))) __noinline int hidden_global(int x) { return x + 1; }

SEC("tc") int callbacks(struct __sk_buff *skb)
{
	__u64 total = 0;
	int k = 0;
	bpf_for_each_map_elem(&counters, sum_cb, &total, 0);
	struct elem *e = bpf_map_lookup_elem(&timers, &k);
	if (e) {
		bpf_timer_init(&e->t, &timers, 1);
		bpf_timer_set_callback(&e->t, timer_cb);
		bpf_timer_start(&e->t, 1000, 0);
	}
	bpf_loop(3, loop_cb, 0, 0);
	return hidden_global(total);
}
SEC("tc") int callbacks2(struct __sk_buff *skb) { bpf_loop(2, loop_cb, 0, 0); return hidden_global(1); }
char LICENSE[] SEC("license") = "GPL";
