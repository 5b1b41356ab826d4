// execsnoop-style tracing: sys_enter_execve tracepoint, ring buffer events, CO-RE parent lookups.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define ARGSIZE 128
#define MAX_ARGS 8

struct event {
	int pid;
	int ppid;
	uid_t uid;
	int retval;
	int args_count;
	unsigned int args_size;
	char comm[TASK_COMM_LEN];
	char args[MAX_ARGS * ARGSIZE];
};

const volatile uid_t targ_uid = -1;
const volatile bool ignore_failed = true;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, pid_t);
	__type(value, struct event);
} execs SEC(".maps");

static const struct event empty_event = {};

SEC("tracepoint/syscalls/sys_enter_execve")
int exec_enter_hash(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task;
	struct event *ev;
	const char **args = (const char **)(ctx->args[1]);
	const char *argp;
	uid_t uid = (u32)bpf_get_current_uid_gid();
	pid_t pid;
	int ret, i;

	if (targ_uid != (uid_t)-1 && targ_uid != uid)
		return 0;
	pid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_map_update_elem(&execs, &pid, &empty_event, BPF_NOEXIST))
		return 0;
	ev = bpf_map_lookup_elem(&execs, &pid);
	if (!ev)
		return 0;
	ev->pid = pid;
	ev->uid = uid;
	task = (struct task_struct *)bpf_get_current_task();
	ev->ppid = BPF_CORE_READ(task, real_parent, tgid);
	ev->args_count = 0;
	ev->args_size = 0;

	ret = bpf_probe_read_user_str(ev->args, ARGSIZE, (const char *)ctx->args[0]);
	if (ret < 0)
		return 0;
	if (ret <= ARGSIZE)
		ev->args_size += ret;
	else
		ev->args[0] = '\0';
	ev->args_count++;
#pragma unroll
	for (i = 1; i < MAX_ARGS; i++) {
		bpf_probe_read_user(&argp, sizeof(argp), &args[i]);
		if (!argp)
			return 0;
		if (ev->args_size > (MAX_ARGS - 1) * ARGSIZE)
			return 0;
		ret = bpf_probe_read_user_str(&ev->args[ev->args_size], ARGSIZE, argp);
		if (ret < 0 || ret > ARGSIZE)
			return 0;
		ev->args_count++;
		ev->args_size += ret;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exec_exit_hash(struct trace_event_raw_sys_exit *ctx)
{
	struct event *ev, *out;
	pid_t pid = bpf_get_current_pid_tgid() >> 32;
	int ret;

	ev = bpf_map_lookup_elem(&execs, &pid);
	if (!ev)
		return 0;
	ret = ctx->ret;
	if (ignore_failed && ret < 0)
		goto cleanup;
	ev->retval = ret;
	bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
	out = bpf_ringbuf_reserve(&events, sizeof(*out), 0);
	if (!out)
		goto cleanup;
	bpf_probe_read_kernel(out, sizeof(*out), ev);
	bpf_ringbuf_submit(out, 0);
cleanup:
	bpf_map_delete_elem(&execs, &pid);
	return 0;
}

struct small_event {
	int pid;
	int ppid;
	char comm[TASK_COMM_LEN];
	char filename[MAX_FILENAME_LEN + 1];
};

SEC("tracepoint/syscalls/sys_enter_execve")
int exec_ringbuf_small(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct small_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Mistake: the reservation is not checked for NULL before the write. */
SEC("tracepoint/syscalls/sys_enter_execve")
int exec_ringbuf_unchecked(struct trace_event_raw_sys_enter *ctx)
{
	struct small_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Mistake: an early return leaks the reservation. */
SEC("tracepoint/syscalls/sys_enter_execve")
int exec_ringbuf_leak(struct trace_event_raw_sys_enter *ctx)
{
	struct small_event *e;
	u64 id = bpf_get_current_pid_tgid();

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	if ((u32)id == 0)
		return 0;
	e->pid = id >> 32;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Mistake: reading the filename into a buffer through a direct dereference of a user pointer. */
SEC("tracepoint/syscalls/sys_enter_execve")
int exec_direct_user_deref(struct trace_event_raw_sys_enter *ctx)
{
	const char *filename = (const char *)ctx->args[0];
	struct small_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->filename[0] = filename[0];
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Mistake: submitting twice. */
SEC("tracepoint/syscalls/sys_enter_execve")
int exec_ringbuf_double_submit(struct trace_event_raw_sys_enter *ctx)
{
	struct small_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = 1;
	bpf_ringbuf_submit(e, 0);
	bpf_ringbuf_discard(e, 0);
	return 0;
}

/* bpf_ringbuf_output copies a stack event, no reservation to track. */
SEC("tracepoint/syscalls/sys_enter_execve")
int exec_ringbuf_output(struct trace_event_raw_sys_enter *ctx)
{
	struct small_event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}
