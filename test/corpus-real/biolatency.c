// biolatency/runqlat-style histograms keyed by device or pid, from raw tracepoints and tp_btf.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_SLOTS 26

struct hist_key {
	u32 dev;
	u32 pad;
};

struct hist {
	u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct request *);
	__type(value, u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

static __always_inline u64 log2_u32(u32 v)
{
	u32 shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline u64 log2l(u64 v)
{
	u32 hi = v >> 32;

	if (hi)
		return log2_u32(hi) + 32;
	return log2_u32(v);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue, struct request *rq)
{
	u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &rq, &ts, 0);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	static struct hist initial;
	struct hist_key hkey = {};
	struct hist *h;
	u64 *tsp, slot;
	s64 delta;

	tsp = bpf_map_lookup_elem(&start, &rq);
	if (!tsp)
		return 0;
	delta = (s64)(bpf_ktime_get_ns() - *tsp);
	if (delta < 0)
		goto cleanup;
	if (rq->q && rq->q->disk)
		hkey.dev = rq->q->disk->major << 20 | rq->q->disk->first_minor;
	h = bpf_map_lookup_elem(&hists, &hkey);
	if (!h) {
		bpf_map_update_elem(&hists, &hkey, &initial, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &hkey);
		if (!h)
			goto cleanup;
	}
	slot = log2l(delta / 1000);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
cleanup:
	bpf_map_delete_elem(&start, &rq);
	return 0;
}

/* Mistake: the histogram slot is not clamped. */
SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete_noclamp, struct request *rq)
{
	struct hist_key hkey = {};
	struct hist *h = bpf_map_lookup_elem(&hists, &hkey);
	u64 slot = log2l(bpf_ktime_get_ns());

	if (!h)
		return 0;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

SEC("raw_tp/block_rq_issue")
int raw_block_rq_issue(struct bpf_raw_tracepoint_args *ctx)
{
	struct request *rq = (void *)ctx->args[0];
	u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &rq, &ts, 0);
	return 0;
}
