/* Register initialisation: reads of unwritten registers, r10, caller-saved registers after calls. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("socket")
__description("r1 holds the context at entry")
__success __retval(0)
__naked void regs_r1_is_ctx(void)
{
	asm volatile ("r6 = r1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("read of r2 at entry")
__failure __msg("R2 !read_ok")
__naked void regs_read_r2(void)
{
	asm volatile ("r0 = r2; exit;" ::: __clobber_all);
}

SEC("socket")
__description("read of r9 in an ALU op")
__failure __msg("R9 !read_ok")
__naked void regs_alu_uninit_src(void)
{
	asm volatile ("r0 = 0; r0 += r9; exit;" ::: __clobber_all);
}

SEC("socket")
__description("ALU op whose destination was never written")
__failure __msg("R3 !read_ok")
__naked void regs_alu_uninit_dst(void)
{
	asm volatile ("r3 += 1; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("32-bit mov from an uninitialised register")
__failure __msg("R4 !read_ok")
__naked void regs_mov32_uninit(void)
{
	asm volatile ("w0 = w4; exit;" ::: __clobber_all);
}

SEC("socket")
__description("write to the frame pointer")
__failure __msg("frame pointer is read only")
__naked void regs_write_r10(void)
{
	asm volatile ("r10 = 0; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("arithmetic on the frame pointer in place")
__failure __msg("frame pointer is read only")
__naked void regs_add_r10(void)
{
	asm volatile ("r10 += -8; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("copy of r10 may be moved")
__success __retval(0)
__naked void regs_copy_fp(void)
{
	asm volatile ("r1 = r10; r1 += -8; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("r1-r5 are scratched by a helper call")
__failure __msg("R1 !read_ok")
__naked void regs_r1_after_call(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; r0 = r1; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("r5 is scratched by a helper call")
__failure __msg("R5 !read_ok")
__naked void regs_r5_after_call(void)
{
	asm volatile ("r5 = 1; call %[bpf_get_prandom_u32]; r0 = r5; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("r6-r9 survive a helper call")
__success __retval(7)
__naked void regs_callee_saved(void)
{
	asm volatile ("r6 = 7; call %[bpf_get_prandom_u32]; r0 = r6; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("r0 holds the helper's result")
__success
__naked void regs_r0_after_call(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; exit;" :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("register initialised on one branch only")
__failure __msg("R2 !read_ok")
__naked void regs_one_branch(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; if r0 == 0 goto l0_%=; r2 = 1; l0_%=: r0 = r2; exit;"
		      :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("register initialised on both branches")
__success
__naked void regs_both_branches(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; if r0 == 0 goto l0_%=; r2 = 1; goto l1_%=; l0_%=: r2 = 2; l1_%=: r0 = r2; exit;"
		      :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("store from an uninitialised register")
__failure __msg("R3 !read_ok")
__naked void regs_store_uninit(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r3; r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("load through an uninitialised base register")
__failure __msg("R4 !read_ok")
__naked void regs_load_uninit_base(void)
{
	asm volatile ("r0 = *(u64 *)(r4 + 0); exit;" ::: __clobber_all);
}

SEC("socket")
__description("comparison against an uninitialised register")
__failure __msg("R7 !read_ok")
__naked void regs_jmp_uninit(void)
{
	asm volatile ("r0 = 0; if r0 > r7 goto +0; exit;" ::: __clobber_all);
}

SEC("socket")
__description("returning the context pointer: allowed when privileged")
__success
__naked void regs_return_ctx(void)
{
	asm volatile ("r0 = r1; exit;" ::: __clobber_all);
}

SEC("socket")
__description("returning a stack pointer: allowed when privileged")
__success
__naked void regs_return_fp(void)
{
	asm volatile ("r0 = r10; exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
