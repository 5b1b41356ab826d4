// BPF C used by the knowledge tests: one program written against the 6.1 uapi header alone
// (helpers declared by hand from BPF_FUNC_*), one against libbpf's headers.

// Written against the uapi header alone: helpers declared by hand from BPF_FUNC_* (6.1 style).
export const UAPI_PROGRAM = `#include <linux/bpf.h>

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) BPF_FUNC_map_lookup_elem;
static long (*bpf_xdp_adjust_head)(struct xdp_md *xdp_md, int delta) = (void *) BPF_FUNC_xdp_adjust_head;
static long (*bpf_perf_event_read)(void *map, unsigned long long flags) = (void *) BPF_FUNC_perf_event_read;
static long (*bpf_skb_load_bytes)(const void *skb, unsigned int offset, void *to, unsigned int len) = (void *) BPF_FUNC_skb_load_bytes;

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	int *key;
	long *value;
} counts __attribute__((section(".maps"), used));

__attribute__((section("xdp"), used))
int xdp_prog(struct xdp_md *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		*v += 1;
	bpf_xdp_adjust_head(ctx, 0);
	bpf_perf_event_read(&counts, 0);
	bpf_skb_load_bytes(ctx, 0, &k, 4);
	return XDP_PASS;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
`;

// Written against libbpf's headers.
export const LIBBPF_PROGRAM = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_no_such_kfunc_xyz(void) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tp_btf/sched_switch")
int on_switch(__u64 *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_struct *a = bpf_task_acquire(t);
	if (a)
		bpf_task_release(a);
	bpf_no_such_kfunc_xyz();
	bpf_ringbuf_output(&events, &t, sizeof(t), 0);
	return 0;
}

SEC("socket")
int sock(struct __sk_buff *skb)
{
	bpf_probe_read_kernel(0, 0, 0);
	return bpf_get_smp_processor_id();
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
`;

