// CO-RE reads beyond the basics: field existence, bitfields, string reads, enum values, chains
// through pointers, and the mistakes of mixing CO-RE reads with direct dereferences.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} rb SEC(".maps");

struct task_info {
	pid_t pid;
	pid_t ppid;
	u32 flags;
	u32 exit_code;
	u64 start;
	char comm[TASK_COMM_LEN];
	char pcomm[TASK_COMM_LEN];
};

SEC("kprobe/do_exit")
int core_task_chain(struct pt_regs *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct task_info *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(t, tgid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->flags = BPF_CORE_READ(t, flags);
	e->exit_code = (BPF_CORE_READ(t, exit_code) >> 8) & 0xff;
	e->start = BPF_CORE_READ(t, start_time);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
	BPF_CORE_READ_STR_INTO(&e->pcomm, t, real_parent, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/do_exit")
int core_field_exists(struct pt_regs *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	unsigned int state = 0;

	if (bpf_core_field_exists(t->__state))
		state = BPF_CORE_READ(t, __state);
	return state == 0;
}

SEC("kprobe/tcp_set_state")
int core_bitfield(struct pt_regs *ctx)
{
	struct sock *sk = (void *)PT_REGS_PARM1(ctx);
	u16 proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);

	return proto == IPPROTO_TCP_;
}

SEC("kprobe/vfs_open")
int core_path_name(struct pt_regs *ctx)
{
	struct path *path = (void *)PT_REGS_PARM1(ctx);
	struct dentry *d = BPF_CORE_READ(path, dentry);
	struct qstr name = BPF_CORE_READ(d, d_name);
	char buf[64];

	bpf_probe_read_kernel_str(buf, sizeof(buf), name.name);
	return buf[0] == '/';
}

SEC("kprobe/vfs_open")
int core_dentry_walk(struct pt_regs *ctx)
{
	struct path *path = (void *)PT_REGS_PARM1(ctx);
	struct dentry *d = BPF_CORE_READ(path, dentry);
	char buf[32];
	int i, depth = 0;

	for (i = 0; i < 8; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		if (parent == d)
			break;
		bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(d, d_name.name));
		d = parent;
		depth++;
	}
	return depth;
}

SEC("kprobe/do_exit")
int core_enum_value(struct pt_regs *ctx)
{
	int v = bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);

	return v == 27;
}

SEC("kprobe/do_exit")
int core_type_exists(struct pt_regs *ctx)
{
	return bpf_core_type_exists(struct bpf_iter_num) ? 1 : 0;
}

/* Mistake: a CO-RE read result used as a pointer into a map value without a check. */
SEC("kprobe/do_exit")
int core_deref_result(struct pt_regs *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);

	return mm->map_count > 10;
}

/* tp_btf: direct dereference of BTF pointers, chains through several structs. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_chain, struct task_struct *p)
{
	struct task_info *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = p->tgid;
	e->ppid = p->real_parent->tgid;
	e->exit_code = p->exit_code;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), p->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* tp_btf: reading beyond the end of a struct through a cast. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_beyond, struct task_struct *p)
{
	struct pid *pid = p->thread_pid;
	u64 *raw = (u64 *)pid;

	return raw[bpf_core_type_size(struct pid) / 8 + 4] != 0;
}

/* tp_btf: chain with nested struct members and an array index. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_nested, struct task_struct *p)
{
	return p->signal->rlim[7].rlim_cur > 1024 && p->mm != 0;
}
