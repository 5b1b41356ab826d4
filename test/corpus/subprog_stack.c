/* Stack pointers handed to subprograms and callbacks: the caller's slots a callee reads through
 * them must stay live at the call (liveness.ts), or states differing only there would be pruned.
 * Each failing program reaches the join point first with a spilled pointer in the slot the callee
 * dereferences (safe), then with a scalar there (the kernel refuses it); pruning the second path
 * against the first would accept it. The last ones check the kernel rules the analysis relies on:
 * no stack pointer is stored into a caller's frame, nor returned. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define SUB(name, body) \
	__attribute__((used, noinline, naked)) static void name(void) { asm volatile (body ::: __clobber_all); }

/* r1 points at a spilled pointer: dereference it */
SUB(sub_deref_arg, "r2 = *(u64 *)(r1 + 0); r0 = *(u32 *)(r2 + 0); r0 = 0; exit;")
/* the same 8 bytes further on, through a second subprogram */
SUB(sub_fwd8, "r1 += 8; call sub_deref_arg; r0 = 0; exit;")
/* r1 points at a pointer to a spilled pointer */
SUB(sub_deref_deref, "r2 = *(u64 *)(r1 + 0); r3 = *(u64 *)(r2 + 0); r0 = *(u32 *)(r3 + 0); r0 = 0; exit;")
/* its argument spilled and reloaded first */
SUB(sub_spill_reload, "*(u64 *)(r10 - 8) = r1; r1 = 0; r2 = *(u64 *)(r10 - 8); r3 = *(u64 *)(r2 + 0); r0 = *(u32 *)(r3 + 0); r0 = 0; exit;")
/* reads the slot next to the one it is handed (r1 - 8) */
SUB(sub_deref_below, "r2 = *(u64 *)(r1 - 8); r0 = *(u32 *)(r2 + 0); r0 = 0; exit;")
/* reads nothing of the caller */
SUB(sub_ignore_arg, "r0 = 0; exit;")
/* a callback dereferencing the pointer spilled at its context */
SUB(cb_deref_ctx, "r3 = *(u64 *)(r2 + 0); r0 = *(u32 *)(r3 + 0); r0 = 0; exit;")
/* stores its argument into the memory it points to (a caller's frame) */
SUB(sub_store_self, "*(u64 *)(r1 + 0) = r1; r0 = 0; exit;")
/* returns its argument */
SUB(sub_ret_arg, "r0 = r1; exit;")

/* r6 = ctx; three no-op instructions so that the join below becomes a checkpoint; fp-16 = ctx on
 * the first path walked, a scalar on the second */
#define SLOT16_PTR_OR_SCALAR \
	"r6 = r1; r7 = 0; r8 = 0; r9 = 0;" \
	"call %[bpf_get_prandom_u32];" \
	"if r0 != 0 goto l_scalar_%=;" \
	"*(u64 *)(r10 - 16) = r6;" \
	"goto l_join_%=;" \
"l_scalar_%=:" \
	"*(u64 *)(r10 - 16) = r0;" \
"l_join_%=:"

SEC("socket") __failure __msg("R2 invalid mem access 'scalar'")
__naked void subprog_reads_handed_slot(void)
{
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = r10; r1 += -16; call sub_deref_arg; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("R2 invalid mem access 'scalar'")
__naked void subprog_reads_forwarded_slot(void)
{
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = r10; r1 += -24; call sub_fwd8; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("R2 invalid mem access 'scalar'")
__naked void subprog_reads_slot_below(void)
{
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = r10; r1 += -8; call sub_deref_below; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("R3 invalid mem access 'scalar'")
__naked void subprog_reads_through_stored_pointer(void)
{
	/* fp-8 = &fp-16; the callee loads it and dereferences what fp-16 holds */
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = r10; r1 += -16; *(u64 *)(r10 - 8) = r1;"
		"r1 = r10; r1 += -8; call sub_deref_deref; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("R3 invalid mem access 'scalar'")
__naked void subprog_reads_after_spilling_arg(void)
{
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = r10; r1 += -16; call sub_spill_reload; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("R3 invalid mem access 'scalar'")
__naked void callback_reads_context_slot(void)
{
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = 1; r2 = %[cb] ll; r3 = r10; r3 += -16; r4 = 0; call %[bpf_loop]; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32), __imm(bpf_loop), [cb] "i"(cb_deref_ctx) : __clobber_all);
}

/* the callee reads nothing: the differing slot is dead at the join and the second path is pruned */
SEC("socket") __success __retval(0)
__naked void subprog_ignores_handed_slot(void)
{
	asm volatile (SLOT16_PTR_OR_SCALAR
		"r1 = r10; r1 += -16; call sub_ignore_arg; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

/* the callee reads fp-16, the differing slot is fp-32 */
SEC("socket") __success __retval(0)
__naked void subprog_reads_other_slot(void)
{
	asm volatile (
		"r6 = r1; *(u64 *)(r10 - 16) = r6; r7 = 0; r8 = 0; r9 = 0;"
		"call %[bpf_get_prandom_u32];"
		"if r0 != 0 goto l_scalar_%=;"
		"*(u64 *)(r10 - 32) = r6;"
		"goto l_join_%=;"
	"l_scalar_%=:"
		"*(u64 *)(r10 - 32) = r0;"
	"l_join_%=:"
		"r1 = r10; r1 += -16; call sub_deref_arg; r0 = 0; exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket") __failure __msg("cannot spill pointers to stack into stack frame of the caller")
__naked void subprog_stores_stack_pointer_in_caller(void)
{
	asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; call sub_store_self; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket") __failure __msg("cannot return stack pointer to the caller")
__naked void subprog_returns_caller_stack_pointer(void)
{
	asm volatile ("r1 = 5; *(u64 *)(r10 - 8) = r1; r1 = r10; r1 += -8; call sub_ret_arg; r0 = *(u64 *)(r0 + 0); r0 &= 1; exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
