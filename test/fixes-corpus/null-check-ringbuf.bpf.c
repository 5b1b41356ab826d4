// A ring buffer reservation written to without checking that it succeeded.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sample {
	__u32 ifindex;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

SEC("xdp")
int sample_packets(struct xdp_md *ctx)
{
	struct sample *s;

	s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
	s->ifindex = ctx->ingress_ifindex; // expect: invalid mem access 'ringbuf_mem_or_null'
	s->len = ctx->data_end - ctx->data;
	bpf_ringbuf_submit(s, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
