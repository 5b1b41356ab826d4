// Parsing a sysctl value with bpf_strtoul: the result slot must be an aligned 8-byte stack slot.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct parse_buf {
	char text[8];
	u32 pad;
	u8 raw[12];
};

SEC("cgroup/sysctl")
int limit_value(struct bpf_sysctl *ctx)
{
	char buf[8] = {};
	unsigned long v = 0;

	if (bpf_sysctl_get_new_value(ctx, buf, sizeof(buf)) <= 0)
		return 1;
	if (bpf_strtoul(buf, sizeof(buf), 0, &v) < 0)
		return 0;
	return v <= 1024;
}

/* the result lands 4 bytes into an 8-byte slot */
SEC("cgroup/sysctl")
int limit_value_misaligned(struct bpf_sysctl *ctx)
{
	struct parse_buf pb = {};

	if (bpf_sysctl_get_new_value(ctx, pb.text, sizeof(pb.text)) <= 0)
		return 1;
	if (bpf_strtoul(pb.text, sizeof(pb.text), 0, (unsigned long *)&pb.raw[0]) < 0)
		return 0;
	return pb.raw[0] == 0;
}
