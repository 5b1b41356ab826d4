// Load-time rules that depend on the program type, attach type and flags: get/set_retval in cgroup
// hooks, helpers that may sleep, timers in tracing programs, device-bound XDP metadata kfuncs.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

#define CLOCK_MONOTONIC 1

struct conn_timer {
	struct bpf_timer t;
	u64 armed_at;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct conn_timer);
} timers SEC(".maps");

/* a connect hook can read what an earlier program in the chain decided */
SEC("cgroup/connect4")
int connect_keep_verdict(struct bpf_sock_addr *ctx)
{
	if (bpf_get_retval() == -1)
		return 0;
	return 1;
}

/* a setsockopt hook can override the errno */
SEC("cgroup/setsockopt")
int setsockopt_eperm(struct bpf_sockopt *ctx)
{
	if (ctx->level == 1 && ctx->optname == 2)
		bpf_set_retval(-1);
	return 1;
}

/* skb hooks have no errno to read: the kernel withholds the helper */
SEC("cgroup_skb/ingress")
int skb_reads_retval(struct __sk_buff *skb)
{
	return bpf_get_retval() == 0;
}

SEC("sockops")
int sockops_sets_retval(struct bpf_sock_ops *ctx)
{
	bpf_set_retval(0);
	return 1;
}

/* bpf_copy_from_user may fault and sleep: only sleepable programs may call it */
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(open_copy_name, int dfd, const char *filename)
{
	char buf[32];

	bpf_copy_from_user(buf, sizeof(buf), filename);
	return buf[0];
}

SEC("uprobe.s//bin/true:main")
int uprobe_copy_arg(struct pt_regs *ctx)
{
	char buf[16];

	bpf_copy_from_user(buf, sizeof(buf), (void *)PT_REGS_PARM2(ctx));
	return buf[0];
}

static int timer_fired(void *map, u32 *key, struct conn_timer *val)
{
	val->armed_at = 0;
	return 0;
}

static __always_inline int arm(void)
{
	u32 key = 0;
	struct conn_timer *ct = bpf_map_lookup_elem(&timers, &key);

	if (!ct)
		return 0;
	ct->armed_at = bpf_ktime_get_ns();
	bpf_timer_init(&ct->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&ct->t, timer_fired);
	bpf_timer_start(&ct->t, 1000000, 0);
	return 0;
}

SEC("tc")
int tc_arm_timer(struct __sk_buff *skb)
{
	arm();
	return TC_ACT_OK;
}

/* tracing program types may not use maps that hold timers */
SEC("tp/syscalls/sys_enter_close")
int tp_arm_timer(void *ctx)
{
	return arm();
}

SEC("raw_tp/sys_enter")
int raw_tp_touch_timer_map(void *ctx)
{
	u32 key = 0;
	struct conn_timer *ct = bpf_map_lookup_elem(&timers, &key);

	return ct ? 1 : 0;
}

extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;

/* metadata kfuncs need a device-bound program (an ifindex at load time) */
SEC("xdp")
int xdp_rx_timestamp(struct xdp_md *ctx)
{
	__u64 ts = 0;

	bpf_xdp_metadata_rx_timestamp(ctx, &ts);
	return ts ? XDP_PASS : XDP_DROP;
}
