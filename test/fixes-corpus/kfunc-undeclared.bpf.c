// kfuncs called without a declaration: clang refuses the implicit declarations.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int peek(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;

	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
