// Stack usage patterns: large locals near the limit, variable-offset stack writes, partially
// initialised structs passed to helpers, deep call chains.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct { u32 a; u64 b; });
	__type(value, u64);
} padded SEC(".maps");

SEC("kprobe/vfs_rename")
int stack_padding_key(struct pt_regs *ctx)
{
	struct { u32 a; u64 b; } key;
	u64 one = 1;

	key.a = 1;
	key.b = 2;
	bpf_map_update_elem(&padded, &key, &one, BPF_ANY);
	return 0;
}

SEC("kprobe/vfs_rename")
int stack_padding_key_zeroed(struct pt_regs *ctx)
{
	struct { u32 a; u64 b; } key = {};
	u64 one = 1;

	key.a = 1;
	key.b = 2;
	bpf_map_update_elem(&padded, &key, &one, BPF_ANY);
	return 0;
}

SEC("kprobe/vfs_rename")
int stack_480_bytes(struct pt_regs *ctx)
{
	char buf[480];

	bpf_probe_read_kernel(buf, sizeof(buf), (void *)PT_REGS_PARM1(ctx));
	return buf[479];
}

SEC("kprobe/vfs_rename")
int stack_var_offset_write(struct pt_regs *ctx)
{
	char buf[32] = {};
	u32 i = PT_REGS_PARM2(ctx) & 31;

	buf[i] = 1;
	return buf[0];
}

SEC("kprobe/vfs_rename")
int stack_var_offset_read_uninit(struct pt_regs *ctx)
{
	char buf[32];
	u32 i = PT_REGS_PARM2(ctx) & 31;

	buf[0] = 1;
	return buf[i];
}

static __noinline int level3(int x)
{
	char b[128];

	b[x & 127] = 1;
	return b[0] + x;
}

static __noinline int level2(int x)
{
	char b[128] = {};

	return level3(x) + b[1];
}

static __noinline int level1(int x)
{
	char b[128] = {};

	return level2(x) + b[2];
}

SEC("kprobe/vfs_rename")
int stack_call_chain(struct pt_regs *ctx)
{
	char b[64] = {};

	return level1(PT_REGS_PARM2(ctx)) + b[3];
}

static __noinline int big_level2(int x)
{
	volatile char b[256] = {};

	return b[x & 255];
}

static __noinline int big_level1(int x)
{
	volatile char b[256] = {};

	return big_level2(x) + b[x & 255];
}

/* Mistake: the combined stack of the call chain exceeds 512 bytes. */
SEC("kprobe/vfs_rename")
int stack_call_chain_too_deep(struct pt_regs *ctx)
{
	volatile char b[64] = {};

	return big_level1(PT_REGS_PARM2(ctx)) + b[1];
}

SEC("kprobe/vfs_rename")
int stack_string_helper(struct pt_regs *ctx)
{
	char fmt[] = "pid %d\n";

	bpf_trace_printk(fmt, sizeof(fmt), bpf_get_current_pid_tgid() >> 32);
	return 0;
}
