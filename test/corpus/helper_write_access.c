/* Helper memory arguments marked MEM_WRITE are BPF_WRITE accesses for check_helper_mem_access, with or
 * without MEM_UNINIT: a read-only map value (.rodata, BPF_F_RDONLY_PROG) refuses them with "write into
 * map forbidden", before the size is checked. The map-value argument of bpf_map_pop_elem/peek_elem
 * (ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE) may be uninitialised stack. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u64);
} queue SEC(".maps");

const volatile __u64 ro_val = 7;
const volatile char ro_buf[16] = "abc";
static const char fmt[] = "%d";

/* the popped value lands in uninitialised stack: raw mode */
SEC("socket") __success
int pop_into_uninit_stack(void *ctx)
{
	__u64 v;

	if (bpf_map_pop_elem(&queue, &v))
		return 0;
	return v & 1;
}

/* peek writes the value: not into .rodata */
SEC("socket") __failure __msg("write into map forbidden, value_size=27 off=0 size=8")
int peek_into_rodata(void *ctx)
{
	bpf_map_peek_elem(&queue, (void *)&ro_val);
	return 0;
}

/* bpf_snprintf's output buffer is MEM_WRITE without MEM_UNINIT: not into .rodata either */
SEC("socket") __failure __msg("write into map forbidden, value_size=27 off=8 size=8")
int snprintf_into_rodata(void *ctx)
{
	__u64 args[1] = { 1 };

	bpf_snprintf((char *)ro_buf, 8, fmt, args, sizeof(args));
	return 0;
}

/* the same output buffer on the stack is fine */
SEC("socket") __success
int snprintf_into_stack(void *ctx)
{
	__u64 args[1] = { 1 };
	char out[8];

	bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	return out[0] & 1;
}

char _license[] SEC("license") = "GPL";
