#include "common.h"
/* More CO-RE shapes: arrays, nested and anonymous members, bitfields (direct read), enum64,
 * type matches, flavours of the same type, relocations inside subprograms. */
struct list_head___x { struct list_head___x *next, *prev; } __attribute__((preserve_access_index));
struct task_struct___y {
	int pid;
	char comm[16];
	struct list_head___x children;
	unsigned int flags;
} __attribute__((preserve_access_index));
struct task_struct___z { int pid; long no_such_thing; } __attribute__((preserve_access_index));
struct sk_buff___y {
	unsigned int len, data_len;
	__u16 mac_len;
	union { __u32 mark; __u32 reserved_tailroom; };
	__u8 pkt_type:3;
} __attribute__((preserve_access_index));
enum perf_event_read_format___y { PERF_FORMAT_TOTAL_TIME_ENABLED___y = 1, PERF_FORMAT_ID___y = 4 };
typedef unsigned int u32___y;
struct bpf_map___m { u32___y max_entries; } __attribute__((preserve_access_index));

static __noinline int from_sub(struct task_struct___y *t)
{
	return BPF_CORE_READ(t, comm[3]) + bpf_core_field_offset(t->children.prev);
}

SEC("tp_btf/sched_switch") int core_more(__u64 *ctx)
{
	struct task_struct___y *t = (void *)bpf_get_current_task_btf();
	struct sk_buff___y *skb = (void *)ctx[1];
	int r = from_sub(t);
	r += BPF_CORE_READ(t, children.next, prev) != 0;
	r += bpf_core_field_exists(((struct task_struct___z *)t)->no_such_thing);
	r += bpf_core_field_exists(skb->mark) + BPF_CORE_READ(skb, mark);
	r += BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	r += bpf_core_field_size(skb->mac_len) + bpf_core_field_offset(skb->data_len);
	r += bpf_core_type_matches(struct bpf_map___m);
	r += bpf_core_type_matches(struct task_struct___z);
	r += bpf_core_enum_value(enum perf_event_read_format___y, PERF_FORMAT_ID___y);
	r += bpf_core_type_size(struct task_struct___y) > 100;
	return r;
}

SEC("tp_btf/sched_switch") int core_direct(__u64 *ctx)
{
	/* direct (BTF-typed) reads relocate load offsets and sizes */
	struct task_struct___y *t = (void *)bpf_get_current_task_btf();
	return t->pid + t->flags + t->comm[0];
}
char LICENSE[] SEC("license") = "GPL";
