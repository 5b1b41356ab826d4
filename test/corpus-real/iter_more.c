// bpf_iter programs over tasks' files, tcp sockets and map elements.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int iter_task_files(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file)
		return 0;
	BPF_SEQ_PRINTF(seq, "%8d %8d %lx\n", task->tgid, ctx->fd, (long)file->f_op);
	return 0;
}

/* Mistake: file used without its NULL check. */
SEC("iter/task_file")
int iter_task_files_nocheck(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	BPF_SEQ_PRINTF(seq, "%lx\n", (long)ctx->file->f_inode);
	return 0;
}

SEC("iter/tcp")
int iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct seq_file *seq = ctx->meta->seq;

	if (!skc)
		return 0;
	BPF_SEQ_PRINTF(seq, "%u %u\n", skc->skc_num, skc->skc_state);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

SEC("iter/bpf_map_elem")
int iter_map_elems(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	u32 *key = ctx->key;
	u64 *val = ctx->value;

	if (!key || !val)
		return 0;
	BPF_SEQ_PRINTF(seq, "%u %llu\n", *key, *val);
	return 0;
}
