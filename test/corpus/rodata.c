/* Read-only global data is frozen at load time: the verifier knows its values and skips branches
 * they rule out. Writable globals (.data, .bss) stay unknown. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

const volatile int cfg_off = 0;
const volatile int cfg_on = 1;
const volatile unsigned int cfg_idx = 5;
int data_flag = 0;
int bss_flag;
const volatile char cfg_name[8] = "abc";

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, char[8]); } arr SEC(".maps");

SEC("socket") __success
int ro_dead_branch_skipped(void *ctx)
{
	if (cfg_off)
		return *(volatile int *)0; /* never verified: the branch is dead */
	return 0;
}

SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
int ro_live_branch_checked(void *ctx)
{
	if (cfg_on)
		return *(volatile int *)0;
	return 0;
}

SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
int data_branch_not_pruned(void *ctx)
{
	if (data_flag)
		return *(volatile int *)0;
	return 0;
}

SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
int bss_branch_not_pruned(void *ctx)
{
	if (bss_flag)
		return *(volatile int *)0;
	return 0;
}

SEC("socket") __success
int ro_const_index(void *ctx)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	return v[cfg_idx];
}

SEC("socket") __failure __msg("value -2147483648 makes map_value pointer be out of bounds") int data_index_unknown(void *ctx)
{
	int k = 0;
	char *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	return v[data_flag];
}

SEC("socket") __success
int ro_string_byte(void *ctx)
{
	return cfg_name[1] == 'b' ? 0 : *(volatile int *)0;
}

SEC("socket") __failure __msg("write into map forbidden")
__naked void ro_write(void)
{
	asm volatile ("r1 = %[cfg_on] ll; r2 = 3; *(u32 *)(r1 + 0) = r2; r0 = 0; exit;" :: __imm_addr(cfg_on) : __clobber_all);
}

SEC("socket") __success
__naked void data_write(void)
{
	asm volatile ("r1 = %[data_flag] ll; r2 = 3; *(u32 *)(r1 + 0) = r2; r0 = 0; exit;" :: __imm_addr(data_flag) : __clobber_all);
}

SEC("socket") __failure __msg("R1 min value is outside of the allowed memory range") __naked void data_read_past(void)
{
	asm volatile ("r1 = %[bss_flag] ll; r0 = *(u32 *)(r1 + 4); exit;" :: __imm_addr(bss_flag) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
