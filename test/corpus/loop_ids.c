/* states_maybe_looping compares the current frame's registers byte for byte, ids included: a loop
 * whose counter gets a fresh id on every iteration is never reported as infinite (the verifier runs on
 * until the pending-branch limit), while one whose registers repeat exactly is. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

/* r7 is unknown after the division and gets a new id from the copy into r1 each time round: the
 * states at the loop head differ only in that id, and every iteration queues the exit branch */
SEC("socket") __failure __msg("The sequence of 8193 jumps is too complex.")
__naked void loop_fresh_id_each_iteration(void)
{
	asm volatile (
		"r7 = 0;"
	"l0_%=:"
		"r7 /= 1;"
		"r1 = r7;"
		"r1 <<= 32;"
		"r1 >>= 32;"
		"if r1 == 128 goto l1_%=;"
		"goto l0_%=;"
	"l1_%=:"
		"r0 = 0;"
		"exit;"
		::: __clobber_all);
}

/* the same loop without the copy: r7 never gets an id, the loop-head states repeat exactly */
SEC("socket") __failure __msg("infinite loop detected at insn 1")
__naked void loop_same_regs_each_iteration(void)
{
	asm volatile (
		"r7 = 0;"
	"l0_%=:"
		"r7 /= 1;"
		"r1 = 0;"
		"r1 |= r7;"
		"r1 <<= 32;"
		"r1 >>= 32;"
		"if r1 == 128 goto l1_%=;"
		"goto l0_%=;"
	"l1_%=:"
		"r0 = 0;"
		"exit;"
		::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
