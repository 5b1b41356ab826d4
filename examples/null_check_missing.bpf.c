// SPDX-License-Identifier: GPL-2.0
// A classic mistake, for demos: the value from bpf_map_lookup_elem() may be NULL (the key may be
// missing), and the program uses it without checking. clang compiles it; the kernel's verifier
// rejects it with "R0 invalid mem access 'map_value_or_null'" (bpfls reports it in the editor).
// The fix is the `if (!value) return XDP_PASS;` check that xdp_counter.bpf.c has.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int xdp_seen(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	__u64 *value = bpf_map_lookup_elem(&seen, &ifindex);

	*value += 1; /* bug: value is NULL when ifindex is not in the map */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
