/* The pending-branch limit: every conditional jump whose outcome the verifier cannot decide queues
 * the other branch; more than 8192 queued at once is "The sequence of N jumps is too complex."
 * (push_stack counts the state it has just queued). A loop of 8192 iterations, each queueing the
 * exit branch, fits exactly; one more undecided jump after it is the 8193rd. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("socket") __success
__naked void jmp_seq_8192_pending_fit(void)
{
	asm volatile (
		"call %[bpf_get_prandom_u32];"
		"r6 = r0;"
		"r1 = 0;"
	"l0_%=:"
		"if r6 == 12345 goto l1_%=;"
		"r1 += 1;"
		"if r1 < 8192 goto l0_%=;"
		"r0 = 0;"
		"exit;"
	"l1_%=:"
		"r0 = 1;"
		"exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("The sequence of 8193 jumps is too complex.")
__naked void jmp_seq_8193_pending(void)
{
	asm volatile (
		"call %[bpf_get_prandom_u32];"
		"r6 = r0;"
		"r1 = 0;"
	"l0_%=:"
		"if r6 == 12345 goto l1_%=;"
		"r1 += 1;"
		"if r1 < 8192 goto l0_%=;"
		"if r6 == 7 goto l1_%=;"
		"r0 = 0;"
		"exit;"
	"l1_%=:"
		"r0 = 1;"
		"exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* The same limit reached by a packet parser: a mutant of loops.c:loop_xdp_parse_headers whose loop
 * runs 8192 times (each bounds check queues the exit), then the parity test queues one more. */
SEC("xdp") __failure __msg("The sequence of 8193 jumps is too complex.")
__naked void jmp_seq_xdp_parse_8193(void)
{
	asm volatile (
		"r2 = 0;"
		"r3 = *(u32 *)(r1 + %[data_end]);"
		"r4 = *(u32 *)(r1 + %[data]);"
		"r1 = 0;"
	"l0_%=:"
		"r5 = r4;"
		"r5 += r2;"
		"r0 = r5;"
		"r0 += 1;"
		"if r0 > r3 goto l1_%=;"
		"r5 = *(u8 *)(r5 + 0);"
		"r1 += r5;"
		"r2 += 1;"
		"r5 = r2;"
		"r5 <<= 24;"
		"r5 >>= 32;"
		"if r5 != 32 goto l0_%=;"
	"l1_%=:"
		"r1 &= 1;"
		"r0 = 1;"
		"if r1 == 0 goto l2_%=;"
		"r0 = 2;"
	"l2_%=:"
		"exit;"
		:: __imm_const(data, offsetof(struct xdp_md, data)), __imm_const(data_end, offsetof(struct xdp_md, data_end))
		: __clobber_all);
}

char _license[] SEC("license") = "GPL";
