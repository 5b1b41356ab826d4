#include "common.h"
SEC("kprobe/do_unlinkat") int kp(void *ctx) { return 0; }
SEC("kretprobe/do_unlinkat") int krp(void *ctx) { return 0; }
SEC("uprobe.s//bin/true:main") int up(void *ctx) { return 0; }
SEC("tracepoint/sched/sched_switch") int tp(void *ctx) { return 0; }
SEC("raw_tracepoint.w/sys_enter") int rtpw(void *ctx) { return 0; }
SEC("?xdp.frags") int xf(struct xdp_md *ctx) { return XDP_PASS; }
SEC("xdp/devmap") int xdm(struct xdp_md *ctx) { return XDP_PASS; }
SEC("cgroup_skb/ingress") int cgi(struct __sk_buff *skb) { return 1; }
SEC("cgroup/connect4") int c4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/getsockopt") int gso(struct bpf_sockopt *ctx) { return 1; }
SEC("sk_skb/stream_verdict") int skv(struct __sk_buff *skb) { return SK_PASS; }
SEC("sk_msg") int skm(struct sk_msg_md *m) { return SK_PASS; }
SEC("sockops") int so(struct bpf_sock_ops *o) { return 1; }
SEC("flow_dissector") int fd(struct __sk_buff *skb) { return 0; }
SEC("cgroup/dev") int cd(struct bpf_cgroup_dev_ctx *c) { return 1; }
SEC("cgroup/sysctl") int cs(struct bpf_sysctl *c) { return 1; }
SEC("sk_lookup") int skl(struct bpf_sk_lookup *c) { return SK_PASS; }
SEC("perf_event") int pev(void *ctx) { return 0; }
SEC("lwt_in") int lwi(struct __sk_buff *skb) { return 0; }
SEC("syscall") int sysc(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
