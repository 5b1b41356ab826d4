// Pointers that helpers return typed by the kernel's BTF (socket casts in socket iterators,
// the current task in tracing programs): loads through them walk the kernel's structs, the way
// snapshot tools read request and timewait sockets.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct conn {
	u32 saddr, daddr;
	u16 sport, dport;
	u8 state;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} conns SEC(".maps");

SEC("iter/tcp")
int iter_request_socks(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_request_sock *treq;
	struct sock *listener;
	struct conn c = {};

	if (!skc)
		return 0;
	treq = bpf_skc_to_tcp_request_sock(skc);
	if (!treq)
		return 0;
	listener = treq->req.req.sk;
	if (!listener)
		return 0;
	c.saddr = treq->req.req.__req_common.skc_rcv_saddr;
	c.sport = listener->__sk_common.skc_num;
	c.state = listener->__sk_common.skc_state;
	bpf_ringbuf_output(&conns, &c, sizeof(c), 0);
	return 0;
}

SEC("iter/tcp")
int iter_tcp_socks(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	struct conn c = {};

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	c.saddr = tp->inet_conn.icsk_inet.sk.__sk_common.skc_rcv_saddr;
	c.dport = tp->inet_conn.icsk_inet.sk.__sk_common.skc_dport;
	c.state = tp->srtt_us > 1000;
	bpf_seq_write(ctx->meta->seq, &c, sizeof(c));
	return 0;
}

SEC("iter/tcp")
int iter_tw_unchecked(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_timewait_sock *tw;

	if (!skc)
		return 0;
	tw = bpf_skc_to_tcp_timewait_sock(skc);
	/* no NULL check: the cast fails for other socket kinds */
	return tw->tw_rcv_wnd != 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(current_task_walk, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (t->real_parent->tgid == next->tgid)
		return 1;
	return t->pid == 1;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(current_task_write, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = bpf_get_current_task_btf();

	t->prio = 0;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(current_task_beyond, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return *((char *)t + bpf_core_type_size(struct task_struct) + 8);
}
