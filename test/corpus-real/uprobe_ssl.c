// sslsniff-style uprobes: buffers captured on entry, copied on return with a clamped length.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_BUF 4096

struct probe_data {
	u64 ts;
	u32 pid;
	u32 len;
	char buf[MAX_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} bufs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct probe_data);
} heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} perf SEC(".maps");

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	u32 tid = bpf_get_current_pid_tgid();
	u64 p = (u64)buf;

	bpf_map_update_elem(&bufs, &tid, &p, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ret, int ret)
{
	u32 tid = bpf_get_current_pid_tgid(), zero = 0;
	struct probe_data *d;
	u64 *bp;
	u32 len;

	bp = bpf_map_lookup_elem(&bufs, &tid);
	if (!bp)
		return 0;
	d = bpf_map_lookup_elem(&heap, &zero);
	if (!d || ret <= 0)
		goto out;
	len = ret < MAX_BUF ? ret : MAX_BUF;
	d->len = len;
	d->pid = tid;
	bpf_probe_read_user(d->buf, len & (MAX_BUF - 1), (void *)*bp);
	bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, d, sizeof(*d) - MAX_BUF + (len & (MAX_BUF - 1)));
out:
	bpf_map_delete_elem(&bufs, &tid);
	return 0;
}

/* Mistake: the length from the return value is used without clamping. */
SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ret_unclamped, int ret)
{
	u32 tid = bpf_get_current_pid_tgid(), zero = 0;
	struct probe_data *d;
	u64 *bp;

	bp = bpf_map_lookup_elem(&bufs, &tid);
	d = bpf_map_lookup_elem(&heap, &zero);
	if (!bp || !d || ret <= 0)
		return 0;
	bpf_probe_read_user(d->buf, ret, (void *)*bp);
	return 0;
}

/* Mistake: a clamp with the wrong comparison (> MAX_BUF lets MAX_BUF through, then the +1). */
SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ret_off_by_one, int ret)
{
	u32 tid = bpf_get_current_pid_tgid(), zero = 0;
	struct probe_data *d;
	u64 *bp;
	u32 len;

	bp = bpf_map_lookup_elem(&bufs, &tid);
	d = bpf_map_lookup_elem(&heap, &zero);
	if (!bp || !d || ret <= 0)
		return 0;
	len = ret;
	if (len > MAX_BUF)
		len = MAX_BUF;
	bpf_probe_read_user(d->buf + 1, len, (void *)*bp);
	return 0;
}
