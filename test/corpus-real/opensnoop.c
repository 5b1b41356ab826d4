// opensnoop-style: entry/exit tracepoints joined through a hash map, perf buffer output, filters.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

const volatile pid_t targ_pid = 0;
const volatile pid_t targ_tgid = 0;
const volatile bool targ_failed = false;

struct args_t {
	const char *fname;
	int flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct args_t);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

struct event {
	u64 ts;
	pid_t pid;
	uid_t uid;
	int ret;
	int flags;
	char comm[TASK_COMM_LEN];
	char fname[256];
};

static __always_inline bool trace_allowed(u32 tgid, u32 pid)
{
	if (targ_tgid && targ_tgid != tgid)
		return false;
	if (targ_pid && targ_pid != pid)
		return false;
	return true;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, pid = id;

	if (trace_allowed(tgid, pid)) {
		struct args_t args = {};
		args.fname = (const char *)ctx->args[1];
		args.flags = (int)ctx->args[2];
		bpf_map_update_elem(&start, &pid, &args, 0);
	}
	return 0;
}

/* Large event built in a per-CPU array slot rather than on the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct event);
} heap SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct args_t *ap;
	struct event *e;
	u32 zero = 0;
	u32 pid = bpf_get_current_pid_tgid();
	int ret;

	ap = bpf_map_lookup_elem(&start, &pid);
	if (!ap)
		return 0;
	ret = ctx->ret;
	if (targ_failed && ret >= 0)
		goto cleanup;
	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		goto cleanup;
	e->ts = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->uid = bpf_get_current_uid_gid();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(&e->fname, sizeof(e->fname), ap->fname);
	e->flags = ap->flags;
	e->ret = ret;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, sizeof(*e));
cleanup:
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

/* Mistake: the lookup result is used without a NULL check. */
SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_unchecked(struct trace_event_raw_sys_exit *ctx)
{
	u32 pid = bpf_get_current_pid_tgid();
	struct args_t *ap = bpf_map_lookup_elem(&start, &pid);
	struct event e = {};

	e.flags = ap->flags;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/* Mistake: a variable index into a stack buffer without an upper bound. */
SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_stack_var_index(struct trace_event_raw_sys_exit *ctx)
{
	char buf[64] = {};
	u32 pid = bpf_get_current_pid_tgid();
	struct args_t *ap = bpf_map_lookup_elem(&start, &pid);

	if (!ap)
		return 0;
	buf[ap->flags & 0xff] = 1;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, buf, sizeof(buf));
	return 0;
}

/* Stack event without zero-initialisation: the padding is never written. */
SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_uninit_stack(struct trace_event_raw_sys_exit *ctx)
{
	struct {
		u32 pid;
		u64 ts;
	} e;

	e.pid = bpf_get_current_pid_tgid();
	e.ts = bpf_ktime_get_ns();
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/* Mistake: size read from the exit code is passed as a length without bounds. */
SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_var_len(struct trace_event_raw_sys_exit *ctx)
{
	struct event *e;
	u32 zero = 0;
	long n = ctx->ret;

	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		return 0;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, n);
	return 0;
}

/* Variable length, clamped as real code does it. */
SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit_var_len_ok(struct trace_event_raw_sys_exit *ctx)
{
	struct event *e;
	u32 zero = 0;
	long n = ctx->ret;

	e = bpf_map_lookup_elem(&heap, &zero);
	if (!e)
		return 0;
	if (n <= 0 || n > sizeof(*e))
		return 0;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, n);
	return 0;
}
