// const volatile configuration frozen in .rodata, dead branches, and .bss/.data globals.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool use_ringbuf = false;
const volatile u32 max_depth = 4;
const volatile u64 min_latency_ns = 1000;
const volatile char target_comm[TASK_COMM_LEN] = "bash";
const volatile int filter_idx = 2;

u64 counters[8] = {};
u32 last_pid;
static u64 hits;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} arr SEC(".maps");

SEC("kprobe/vfs_fsync")
int rodata_dead_branch(struct pt_regs *ctx)
{
	u64 *p = 0;

	if (use_ringbuf)
		return *p; /* never taken: use_ringbuf is frozen to false */
	return 0;
}

SEC("kprobe/vfs_fsync")
int rodata_loop_bound(struct pt_regs *ctx)
{
	u32 i;
	u64 s = 0;

	for (i = 0; i < max_depth && i < 16; i++)
		s += i;
	return s & 1;
}

SEC("kprobe/vfs_fsync")
int rodata_comm_compare(struct pt_regs *ctx)
{
	char comm[TASK_COMM_LEN];
	int i;

	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != target_comm[i])
			return 0;
		if (comm[i] == 0)
			break;
	}
	return 1;
}

SEC("kprobe/vfs_fsync")
int bss_counters(struct pt_regs *ctx)
{
	u32 cpu = bpf_get_smp_processor_id();

	__sync_fetch_and_add(&counters[cpu & 7], 1);
	last_pid = bpf_get_current_pid_tgid() >> 32;
	hits++;
	return 0;
}

SEC("kprobe/vfs_fsync")
int rodata_index(struct pt_regs *ctx)
{
	return counters[filter_idx] != 0;
}

/* Mistake: writing to .rodata. */
SEC("kprobe/vfs_fsync")
int rodata_write(struct pt_regs *ctx)
{
	*(volatile u64 *)&min_latency_ns = 5;
	return 0;
}

SEC("kprobe/vfs_fsync")
int rodata_strncmp(struct pt_regs *ctx)
{
	char comm[TASK_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	return bpf_strncmp(comm, TASK_COMM_LEN, (const char *)target_comm) == 0;
}

SEC("kprobe/vfs_fsync")
int rodata_latency_filter(struct pt_regs *ctx)
{
	u64 d = bpf_ktime_get_ns() & 0xffff;

	if (d < min_latency_ns)
		return 0;
	hits += d;
	return 1;
}
