// Tracing programs across attach kinds: raw_tp, tp_btf, uprobe/uretprobe, perf_event with
// stack traces, and iterators.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define PERF_MAX_STACK_DEPTH 127

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
	__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(u64));
	__uint(max_entries, 16384);
} stackmap SEC(".maps");

struct key_t {
	u32 pid;
	int kern_stack;
	int user_stack;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct key_t);
	__type(value, u64);
} counts SEC(".maps");

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	struct key_t key = {};
	u64 *val, one = 1;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	key.kern_stack = bpf_get_stackid(ctx, &stackmap, 0);
	key.user_stack = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
	val = bpf_map_lookup_elem(&counts, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("perf_event")
int profile_sample_period(struct bpf_perf_event_data *ctx)
{
	u64 ip = PT_REGS_IP(&ctx->regs);

	return ctx->sample_period > 1000 && ip != 0;
}

/* Mistake: bpf_get_stackid given a hash map instead of a stack trace map. */
SEC("perf_event")
int profile_wrong_map(struct bpf_perf_event_data *ctx)
{
	return bpf_get_stackid(ctx, &counts, 0) >= 0;
}

/* bpf_get_stack into a per-CPU buffer, with the returned length used for output. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64[PERF_MAX_STACK_DEPTH]);
} stack_buf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} rb SEC(".maps");

SEC("kprobe/do_nanosleep")
int kprobe_get_stack(struct pt_regs *ctx)
{
	u32 zero = 0;
	u64 *buf = bpf_map_lookup_elem(&stack_buf, &zero);
	long n;

	if (!buf)
		return 0;
	n = bpf_get_stack(ctx, buf, PERF_MAX_STACK_DEPTH * sizeof(u64), 0);
	if (n <= 0)
		return 0;
	bpf_ringbuf_output(&rb, buf, n, 0);
	return 0;
}

SEC("raw_tp/sched_switch")
int raw_tp_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx->args[1];
	pid_t pid;

	bpf_probe_read_kernel(&pid, sizeof(pid), &prev->pid);
	return pid == 0;
}

/* Mistake: raw_tp args read beyond the tracepoint's argument count is accepted at load time
 * only up to the context size; here the offset is far past it. */
SEC("raw_tp/sched_switch")
int raw_tp_ctx_oob(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[40] != 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tp_btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (prev->__state == 0 /* TASK_RUNNING */)
		return 0;
	return next->pid == 1;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_fork, struct task_struct *parent, struct task_struct *child)
{
	struct key_t key = {};

	key.pid = child->tgid;
	__builtin_memcpy(key.comm, parent->comm, sizeof(key.comm));
	bpf_map_delete_elem(&counts, &key);
	return 0;
}

/* Mistake: writing through a BTF pointer in tp_btf. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_write, struct task_struct *parent, struct task_struct *child)
{
	child->pid = 0;
	return 0;
}

/* Mistake: BTF-typed pointer arithmetic with a variable offset. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_var_off, struct task_struct *parent, struct task_struct *child)
{
	u32 i = bpf_get_prandom_u32() & 7;

	return child->comm[i] == 'x';
}

SEC("uprobe")
int BPF_KPROBE(uprobe_readline_entry, const char *prompt)
{
	char buf[32];

	bpf_probe_read_user_str(buf, sizeof(buf), prompt);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(uretprobe_readline, const void *ret)
{
	char line[80];
	int n;

	if (!ret)
		return 0;
	n = bpf_probe_read_user_str(line, sizeof(line), ret);
	if (n > 0)
		bpf_ringbuf_output(&rb, line, (n & 127) < sizeof(line) ? (n & 127) : sizeof(line), 0);
	return 0;
}

/* Mistake: a negative-capable length into bpf_ringbuf_output. */
SEC("uretprobe")
int BPF_KRETPROBE(uretprobe_signed_len, const void *ret)
{
	char line[80];
	int n = bpf_probe_read_user_str(line, sizeof(line), ret);

	bpf_ringbuf_output(&rb, line, n, 0);
	return 0;
}

SEC("iter/task")
int iter_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "    tgid      gid\n");
	BPF_SEQ_PRINTF(seq, "%8d %8d\n", task->tgid, task->pid);
	return 0;
}

/* Mistake: the iterator's task may be NULL on the final call. */
SEC("iter/task")
int iter_tasks_nullderef(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;

	BPF_SEQ_PRINTF(seq, "%d\n", ctx->task->pid);
	return 0;
}

SEC("iter/bpf_map")
int iter_maps(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(seq, "%8u %-16s\n", map->id, map->name);
	return 0;
}
