/* Loops: bounded loops are explored until they end; loops the verifier cannot prove finite hit the
 * infinite-loop check or the 1M processed-instruction limit; may_goto bounds a loop at run time. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, long[64]); } arr SEC(".maps");

SEC("socket") __success
int loop_c_bounded(void *ctx)
{
	int sum = 0;
	for (int i = 0; i < 100; i++)
		sum += i ^ sum;
	return sum & 1;
}

SEC("socket") __success
int loop_c_map_walk(void *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&arr, &k), sum = 0;
	if (!v)
		return 0;
	for (int i = 0; i < 64; i++)
		sum += v[i];
	return sum & 1;
}

SEC("socket") __success
int loop_c_data_dependent_exit(void *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&arr, &k);
	if (!v)
		return 0;
	for (int i = 0; i < 64; i++)
		if (v[i] == 0)
			return i & 1;
	return 0;
}

SEC("socket") __success
__naked void loop_asm_count_up(void)
{
	asm volatile ("r0 = 0; l0_%=: r0 += 1; if r0 < 1000 goto l0_%=; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __success
__naked void loop_asm_count_down(void)
{
	asm volatile ("r1 = 500; l0_%=: r1 -= 1; if r1 != 0 goto l0_%=; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __failure __msg("infinite loop detected at insn 1")
__naked void loop_asm_no_progress(void)
{
	asm volatile ("r0 = 0; l0_%=: r1 = 0; if r0 == 0 goto l0_%=; exit;" ::: __clobber_all);
}

SEC("socket") __failure __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_asm_unknown_bound(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; r1 = 0; l0_%=: r1 += 1; if r1 < r0 goto l0_%=; r0 = 0; exit;"
		      :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_asm_too_many_iterations(void)
{
	asm volatile ("r0 = 0; r1 = 0; l0_%=: r0 += 3; r0 ^= r1; r0 &= 0xff; r1 += 1; if r1 < 400000 goto l0_%=; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __success
__naked void loop_asm_many_iterations_fit(void)
{
	asm volatile ("r0 = 0; r1 = 0; l0_%=: r0 += 3; r1 += 1; if r1 < 100000 goto l0_%=; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __failure __msg("infinite loop detected")
__naked void loop_asm_stuck_on_reg_compare(void)
{
	asm volatile ("r1 = 5; r2 = 5; l0_%=: if r1 == r2 goto l0_%=; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __success
__naked void loop_asm_nested(void)
{
	asm volatile ("r1 = 0; l0_%=: r2 = 0; l1_%=: r2 += 1; if r2 < 10 goto l1_%=; r1 += 1; if r1 < 10 goto l0_%=; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __success
__naked void loop_may_goto_unknown_bound(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; r1 = 0;"
		      "l0_%=: .8byte 0x00000000000200e5; r1 += 1; if r1 < r0 goto l0_%=; r0 = 0; exit;"
		      :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __success
__naked void loop_may_goto_forever(void)
{
	asm volatile ("r0 = 0; l0_%=: .8byte 0x00000000000100e5; goto l0_%=; exit;" ::: __clobber_all);
}

SEC("socket") __success __naked void loop_may_goto_zero_off(void)
{
	asm volatile ("r0 = 0; .8byte 0x00000000000000e5; exit;" ::: __clobber_all);
}

SEC("socket") __success int loop_uninit_after_loop(void *ctx)
{
	long buf[4];
	int n = bpf_get_prandom_u32() & 3;
	for (int i = 0; i < n; i++)
		buf[i] = i;
	asm volatile ("" ::: "memory");
	return buf[3] & 1;
}

SEC("xdp") __success
int loop_xdp_parse_headers(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int n = 0;
	for (int i = 0; i < 32; i++) {
		if (p + 1 > end)
			break;
		n += *p;
		p++;
	}
	return n & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
