// A TCP congestion control in BPF (struct_ops): arguments are typed kernel pointers (the socket is a
// tcp_sock), only a few tcp_sock fields are writable, void members need no return value.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct toy_ca {
	u32 acked_total;
	u32 loss_events;
};

static __always_inline struct tcp_sock *tcp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static __always_inline struct toy_ca *ca_of(struct sock *sk)
{
	return (struct toy_ca *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

SEC("struct_ops")
void BPF_PROG(toy_init, struct sock *sk)
{
	struct toy_ca *ca = ca_of(sk);

	ca->acked_total = 0;
	ca->loss_events = 0;
}

SEC("struct_ops")
u32 BPF_PROG(toy_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_of(sk);
	u32 half = tp->snd_cwnd >> 1;

	return half > 2 ? half : 2;
}

SEC("struct_ops")
void BPF_PROG(toy_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
	struct tcp_sock *tp = tcp_of(sk);

	ca_of(sk)->acked_total += acked;
	if (tp->snd_cwnd < tp->snd_ssthresh)
		tp->snd_cwnd += acked;
	else if (++tp->snd_cwnd_cnt >= tp->snd_cwnd) {
		tp->snd_cwnd_cnt = 0;
		tp->snd_cwnd++;
	}
}

SEC("struct_ops")
void BPF_PROG(toy_set_state, struct sock *sk, u8 new_state)
{
	if (new_state == 4 /* TCP_CA_Loss */)
		ca_of(sk)->loss_events++;
}

SEC("struct_ops")
u32 BPF_PROG(toy_undo_cwnd, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_of(sk);

	return tp->snd_cwnd > tp->prior_cwnd ? tp->snd_cwnd : tp->prior_cwnd;
}

/* a congestion control may not rewrite the RTT estimate */
SEC("struct_ops")
void BPF_PROG(toy_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	struct tcp_sock *tp = tcp_of(sk);

	if (ev == CA_EVENT_TX_START)
		tp->srtt_us = 0;
}

/* a pointer read out of the socket is only readable */
SEC("struct_ops")
void BPF_PROG(toy_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct tcp_sock *tp = tcp_of(sk);

	if (sample->rtt_us > 0)
		tp->snd_ssthresh = sample->pkts_acked;
}

SEC(".struct_ops")
struct tcp_congestion_ops toy_cc = {
	.init = (void *)toy_init,
	.ssthresh = (void *)toy_ssthresh,
	.cong_avoid = (void *)toy_cong_avoid,
	.set_state = (void *)toy_set_state,
	.undo_cwnd = (void *)toy_undo_cwnd,
	.cwnd_event = (void *)toy_cwnd_event,
	.pkts_acked = (void *)toy_pkts_acked,
	.name = "bpf_toy_cc",
};
