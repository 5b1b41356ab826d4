// Congestion-control members may call bpf_setsockopt/bpf_getsockopt, except release(): a retiring
// algorithm must not allocate anything new.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define SOL_TCP 6
#define TCP_CONGESTION 13

SEC("struct_ops")
void BPF_PROG(fallback_init, struct sock *sk)
{
	char name[] = "cubic";

	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, name, sizeof(name));
}

SEC("struct_ops")
void BPF_PROG(fallback_release, struct sock *sk)
{
	char name[] = "reno";

	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, name, sizeof(name));
}

SEC("struct_ops")
u32 BPF_PROG(fallback_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops")
u32 BPF_PROG(fallback_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

SEC("struct_ops")
void BPF_PROG(fallback_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
}

SEC(".struct_ops")
struct tcp_congestion_ops fallback_cc = {
	.init = (void *)fallback_init,
	.release = (void *)fallback_release,
	.ssthresh = (void *)fallback_ssthresh,
	.undo_cwnd = (void *)fallback_undo_cwnd,
	.cong_avoid = (void *)fallback_cong_avoid,
	.name = "bpf_fallback",
};
