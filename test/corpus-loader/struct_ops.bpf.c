#include "common.h"
/* struct_ops: a TCP congestion control whose members are BPF programs (libbpf makes a map of it) */
struct sock;
struct tcp_congestion_ops {
	void (*init)(struct sock *sk);
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};
int calls;
SEC("struct_ops/cc_init") void cc_init(unsigned long long *ctx) { calls++; }
SEC("struct_ops/cc_ssthresh") __u32 cc_ssthresh(unsigned long long *ctx) { return 2; }
SEC("struct_ops/cc_avoid") void cc_avoid(unsigned long long *ctx) { }
SEC("struct_ops/cc_undo") __u32 cc_undo(unsigned long long *ctx) { return 1; }
SEC(".struct_ops") struct tcp_congestion_ops bpfls_cc = {
	.init = (void *)cc_init, .ssthresh = (void *)cc_ssthresh, .cong_avoid = (void *)cc_avoid, .undo_cwnd = (void *)cc_undo, .name = "bpfls_cc",
};
char LICENSE[] SEC("license") = "GPL";
