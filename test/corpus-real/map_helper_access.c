// Map memory handed to helpers: a for_each callback's key is read-only, a map the program may only
// write (BPF_F_WRONLY_PROG) cannot be read by a helper either.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, char[16]);
	__type(value, u64);
} by_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_WRONLY_PROG);
	__type(key, u32);
	__type(value, u64);
} outbox SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

static long sum_cb(struct bpf_map *map, char *key, u64 *val, u64 *total)
{
	*total += *val + key[0];
	return 0;
}

static long rename_cb(struct bpf_map *map, char *key, u64 *val, u64 *total)
{
	bpf_get_current_comm(key, 16);
	return 0;
}

SEC("raw_tp/sys_enter")
int sum_by_comm(void *ctx)
{
	u64 total = 0;

	bpf_for_each_map_elem(&by_comm, sum_cb, &total, 0);
	return total > 10;
}

/* the helper would write into the key */
SEC("raw_tp/sys_enter")
int rename_keys(void *ctx)
{
	u64 total = 0;

	bpf_for_each_map_elem(&by_comm, rename_cb, &total, 0);
	return 0;
}

SEC("tp/syscalls/sys_enter_write")
int post_count(void *ctx)
{
	u32 key = 0;
	u64 *v = bpf_map_lookup_elem(&outbox, &key);

	if (v)
		*v = bpf_ktime_get_ns();
	return 0;
}

/* the program may not read what it can only write, not even through a helper */
SEC("tp/syscalls/sys_enter_write")
int forward_outbox(void *ctx)
{
	u32 key = 0;
	u64 *v = bpf_map_lookup_elem(&outbox, &key);

	if (v)
		bpf_ringbuf_output(&events, v, sizeof(*v), 0);
	return 0;
}
