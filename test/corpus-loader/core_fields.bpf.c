#include "common.h"
/* vmlinux-free CO-RE: local flavours of kernel types */
struct task_struct___x { int pid; int tgid; char comm[16]; struct task_struct___x *real_parent; unsigned int flags; } __attribute__((preserve_access_index));
struct task_struct___missing { int no_such_field_here; } __attribute__((preserve_access_index));
struct sk_buff___x { unsigned int len; __u16 protocol; __u8 pkt_type:3; } __attribute__((preserve_access_index));
enum pid_type___x { PIDTYPE_PID___x, PIDTYPE_TGID___x = 1, PIDTYPE_MAX___x = 4 };
enum bpf_func_id___x { BPF_FUNC_ringbuf_output___x = 130, BPF_FUNC_no_such___x = 9999 };
typedef struct task_struct___x task_x;

SEC("tp_btf/sched_switch") int core_fields(__u64 *ctx)
{
	struct task_struct___x *t = (void *)bpf_get_current_task_btf();
	int r = 0;
	r += BPF_CORE_READ(t, pid);
	r += BPF_CORE_READ(t, real_parent, tgid);
	r += bpf_core_field_exists(t->flags);
	r += bpf_core_field_size(t->comm);
	r += bpf_core_field_offset(t->comm);
	if (bpf_core_field_exists(((struct task_struct___missing *)t)->no_such_field_here))
		r += BPF_CORE_READ((struct task_struct___missing *)t, no_such_field_here);
	r += bpf_core_type_exists(struct task_struct___x);
	r += bpf_core_type_exists(struct task_struct___missing);
	r += bpf_core_type_size(task_x);
	r += bpf_core_type_id_local(struct task_struct___x) > 0;
	r += bpf_core_type_id_kernel(struct task_struct___x) > 0;
	r += bpf_core_enum_value_exists(enum pid_type___x, PIDTYPE_TGID___x);
	r += bpf_core_enum_value(enum pid_type___x, PIDTYPE_MAX___x);
	r += bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_no_such___x);
	r += bpf_core_enum_value(enum bpf_func_id___x, BPF_FUNC_ringbuf_output___x);
	return r;
}

SEC("tp_btf/sched_switch") int core_bitfield(__u64 *ctx)
{
	struct sk_buff___x *skb = (void *)ctx[0];
	return BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type) + __builtin_preserve_field_info(skb->len, BPF_FIELD_SIGNED);
}
char LICENSE[] SEC("license") = "GPL";
