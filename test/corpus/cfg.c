/* Control-flow checks: jump targets, unreachable code, the last instruction, back-edges. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("socket")
__description("forward conditional jump inside the program")
__success __retval(1)
__naked void cfg_fwd_jump_ok(void)
{
	asm volatile ("r0 = 1; if r0 > 5 goto +1; exit; r0 = 2; exit;" ::: __clobber_all);
}

SEC("socket")
__description("unconditional jump past the end")
__failure __msg("jump out of range from insn 1 to 7")
__naked void cfg_jump_past_end(void)
{
	asm volatile ("r0 = 0; goto +5; exit;" ::: __clobber_all);
}

SEC("socket")
__description("conditional jump before the start")
__failure __msg("jump out of range from insn 1 to -5")
__naked void cfg_jump_before_start(void)
{
	asm volatile ("r0 = 0; if r0 == 0 goto -7; exit;" ::: __clobber_all);
}

SEC("socket")
__description("jump to itself leaves the exit unreachable")
__failure __msg("unreachable insn 2")
__naked void cfg_self_jump(void)
{
	asm volatile ("r0 = 0; goto -1; exit;" ::: __clobber_all);
}

SEC("socket")
__description("code after exit is unreachable")
__failure __msg("unreachable insn 2")
__naked void cfg_dead_after_exit(void)
{
	asm volatile ("r0 = 0; exit; r0 = 1; exit;" ::: __clobber_all);
}

SEC("socket")
__description("program falls off its end")
__failure __msg("last insn is not an exit or jmp")
__naked void cfg_no_exit(void)
{
	asm volatile ("r0 = 0; r1 = 1;" ::: __clobber_all);
}

SEC("socket")
__description("a self-loop on a branch the verifier proves dead")
__success __retval(0)
__naked void cfg_end_with_backjump(void)
{
	asm volatile ("r0 = 0; if r0 == 0 goto +1; goto -1; exit;" ::: __clobber_all);
}

SEC("socket")
__description("bounded back-edge loop")
__success __retval(4)
__naked void cfg_bounded_backedge(void)
{
	asm volatile ("r0 = 0; l0_%=: r0 += 1; if r0 < 4 goto l0_%=; exit;" ::: __clobber_all);
}

SEC("socket")
__description("a loop that never changes its condition")
__failure __msg("infinite loop detected")
__naked void cfg_infinite_loop(void)
{
	asm volatile ("r0 = 0; l0_%=: r1 = 1; if r0 == 0 goto l0_%=; exit;" ::: __clobber_all);
}

SEC("socket")
__description("jump into the middle of ld_imm64")
__failure __msg("jump into the middle of ldimm64 insn 2")
__naked void cfg_jump_into_ldimm64(void)
{
	asm volatile ("r0 = 0; if r0 == 0 goto +1; r1 = 0x1122334455667788 ll; exit;" ::: __clobber_all);
}

SEC("socket")
__description("ld_imm64 with its second half missing")
__failure __msg("invalid bpf_ld_imm64 insn")
__naked void cfg_ldimm64_truncated(void)
{
	asm volatile ("r0 = 0; .8byte 0x0000000000000118; exit;" ::: __clobber_all);
}

SEC("socket")
__description("unknown opcode")
__failure __msg("unknown opcode ff")
__naked void cfg_unknown_opcode(void)
{
	asm volatile ("r0 = 0; .8byte 0x00000000000000ff; exit;" ::: __clobber_all);
}

SEC("socket")
__description("reserved field set in a mov")
__failure __msg("BPF_MOV uses reserved fields")
__naked void cfg_mov_reserved(void)
{
	asm volatile ("r0 = 0; .8byte 0x00000001000000bf; exit;" ::: __clobber_all);
}

SEC("socket")
__description("mov with offset 1 is an address space cast")
__failure __msg("addr_space_cast insn can only convert between address space 1 and 0")
__naked void cfg_mov_off1(void)
{
	asm volatile ("r0 = 0; .8byte 0x00000000000100bf; exit;" ::: __clobber_all);
}

SEC("socket")
__description("destination register r11 does not exist")
__failure __msg("R11 is invalid")
__naked void cfg_bad_dst_reg(void)
{
	asm volatile ("r0 = 0; .8byte 0x00000000000000b7 | 0xb00; exit;" ::: __clobber_all);
}

SEC("socket")
__description("both branches reach the same exit")
__success __retval(0)
__naked void cfg_diamond(void)
{
	asm volatile ("r0 = 0; r1 = 5; if r1 > 3 goto l0_%=; r0 = 0; goto l1_%=; l0_%=: r0 = 0; l1_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("exit with r0 never written")
__failure __msg("R0 !read_ok")
__naked void cfg_exit_r0_uninit(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SEC("socket")
__description("ja with a 32-bit offset (gotol)")
__success
__naked void cfg_gotol(void)
{
	asm volatile ("call %[bpf_get_prandom_u32]; if r0 == 0 goto l0_%=; gotol +1; l0_%=: r0 = 3; exit;"
		      :: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("unconditional jump over code nothing else reaches")
__failure __msg("unreachable insn 2")
__naked void cfg_gotol_dead(void)
{
	asm volatile ("r0 = 3; gotol +1; r0 = 4; exit;" ::: __clobber_all);
}

SEC("socket")
__description("conditional jump straight to the exit")
__success __retval(0)
__naked void cfg_jump_to_exit(void)
{
	asm volatile ("r0 = 0; if r0 == 0 goto +2; r0 = 1; r0 = 2; exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
