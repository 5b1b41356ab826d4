#include "common.h"
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } h SEC(".maps");
struct pair { __u64 a, b; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, struct pair); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __uint(key_size, 4); __uint(value_size, 16); } pca SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 128); __type(key, __u64); __type(value, __u32); __uint(map_flags, BPF_F_NO_COMMON_LRU); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 12); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(int)); __uint(value_size, sizeof(int)); } pe SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 8); __uint(value_size, 4); } q SEC(".maps");
struct lpm_key { __u32 prefixlen; __u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16); __type(key, struct lpm_key); __type(value, __u32); __uint(map_flags, BPF_F_NO_PREALLOC); } lpm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 16); __uint(value_size, 4); __uint(map_extra, 3); } bloom SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, int); __uint(pinning, LIBBPF_PIN_NONE); } pinned SEC(".maps");

SEC("xdp") int use_maps(struct xdp_md *ctx)
{
	__u32 k = 0; __u64 k64 = 1; int v = 3;
	__u64 *p = bpf_map_lookup_elem(&h, &k);
	if (p) *p += 1;
	bpf_map_lookup_elem(&arr, &k);
	bpf_map_lookup_elem(&pca, &k);
	bpf_map_lookup_elem(&lru, &k64);
	bpf_ringbuf_output(&rb, &k, sizeof(k), 0);
	bpf_perf_event_output(ctx, &pe, BPF_F_CURRENT_CPU, &k, sizeof(k));
	bpf_map_push_elem(&q, &v, 0);
	struct lpm_key lk = { 32, 0 };
	bpf_map_lookup_elem(&lpm, &lk);
	bpf_map_push_elem(&bloom, &v, 0);
	bpf_map_lookup_elem(&pinned, &v);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
