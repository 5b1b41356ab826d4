// Helpers used from program types that cannot call them, the kind of mistake copy-paste makes.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

SEC("xdp")
int xdp_get_current_pid(struct xdp_md *ctx)
{
	return bpf_get_current_pid_tgid() & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_perf_output(struct xdp_md *ctx)
{
	u32 v = ctx->ingress_ifindex;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
	return XDP_PASS;
}

SEC("socket")
int sock_filter_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(1, 0);
}

SEC("socket")
int sock_filter_load_bytes(struct __sk_buff *skb)
{
	u8 b;

	if (bpf_skb_load_bytes(skb, 12, &b, 1))
		return 0;
	return b == 8 ? skb->len : 0;
}

SEC("kprobe/vfs_write")
int kprobe_skb_helper(struct pt_regs *ctx)
{
	return bpf_get_socket_cookie((void *)PT_REGS_PARM1(ctx)) != 0;
}

SEC("tc")
int tc_get_current_comm(struct __sk_buff *skb)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	return TC_ACT_OK;
}

SEC("tc")
int tc_get_cgroup_classid(struct __sk_buff *skb)
{
	return bpf_get_cgroup_classid(skb) == 0 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("cgroup_skb/egress")
int cgskb_probe_read(struct __sk_buff *skb)
{
	u64 v;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)(long)skb->len);
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_write")
int tp_override_return(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}

SEC("kprobe/vfs_write")
int kprobe_send_signal(struct pt_regs *ctx)
{
	if (PT_REGS_PARM3(ctx) > (1 << 30))
		bpf_send_signal(9);
	return 0;
}

SEC("perf_event")
int perf_event_read_value_ok(struct bpf_perf_event_data *ctx)
{
	struct bpf_perf_event_value v;

	return bpf_perf_prog_read_value(ctx, &v, sizeof(v)) == 0;
}

SEC("kprobe/vfs_write")
int kprobe_perf_prog_read_value(struct pt_regs *ctx)
{
	struct bpf_perf_event_value v;

	return bpf_perf_prog_read_value((void *)ctx, &v, sizeof(v)) == 0;
}
