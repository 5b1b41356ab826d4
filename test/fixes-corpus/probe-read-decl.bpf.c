// A tracing program with a hand-written declaration of the deprecated bpf_probe_read.
#include <linux/bpf.h>
#include <linux/ptrace.h>

#define SEC(name) __attribute__((section(name), used))

static long (*bpf_probe_read)(void *dst, __u32 size, const void *unsafe_ptr) = (void *) 4;

SEC("kprobe/do_nanosleep")
int read_arg(struct pt_regs *ctx)
{
	long first = 0;

	bpf_probe_read(&first, sizeof(first), (void *) ctx->rdi);
	return first != 0;
}

char LICENSE[] SEC("license") = "GPL";
