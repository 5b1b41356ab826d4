/* Conditional jumps refine scalar ranges on both branches; the refined range must keep a map value
 * access in bounds. Every jump kind, 64- and 32-bit, register and immediate forms. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, char[64]);
} arr SEC(".maps");

/* r6 = value pointer (or exit), r1 = unknown 64-bit scalar */
#define PRE \
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[arr] ll;" \
	"call %[bpf_map_lookup_elem]; if r0 != 0 goto l9_%=; exit; l9_%=: r6 = r0;" \
	"call %[bpf_get_prandom_u32]; r1 = r0; r0 = 0;"
#define USE "r6 += r1; r0 = *(u8 *)(r6 + 0); r0 = 0; exit;"
#define OUT "l1_%=: r0 = 0; exit;"
#define ARGS :: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(arr) : __clobber_all

SEC("socket") __success __naked void bounds_jgt_k(void)
{ asm volatile (PRE "if r1 > 63 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range") __naked void bounds_jgt_k_off_by_one(void)
{ asm volatile (PRE "if r1 > 64 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jge_k(void)
{ asm volatile (PRE "if r1 >= 64 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jlt_k(void)
{ asm volatile (PRE "if r1 < 64 goto l2_%=; r0 = 0; exit; l2_%=:" USE ARGS); }
SEC("socket") __success __naked void bounds_jle_k(void)
{ asm volatile (PRE "if r1 <= 63 goto l2_%=; r0 = 0; exit; l2_%=:" USE ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jle_k_wrong_branch(void)
{ asm volatile (PRE "if r1 <= 63 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jsgt_only_upper(void)
{ asm volatile (PRE "if r1 s> 63 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jsgt_and_jslt(void)
{ asm volatile (PRE "if r1 s> 63 goto l1_%=; if r1 s< 0 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jsge_jsle(void)
{ asm volatile (PRE "if r1 s>= 64 goto l1_%=; if r1 s<= -1 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jeq_k(void)
{ asm volatile (PRE "if r1 == 17 goto l2_%=; r0 = 0; exit; l2_%=:" USE ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jne_k_fallthrough_unknown(void)
{ asm volatile (PRE "if r1 == 17 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jne_k(void)
{ asm volatile (PRE "if r1 != 17 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jset_known_zero(void)
{ asm volatile (PRE "r1 &= 0xff; if r1 & 0xc0 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jset_unknown(void)
{ asm volatile (PRE "if r1 & 0xc0 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jgt_x(void)
{ asm volatile (PRE "r2 = 63; if r1 > r2 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jgt_x_unknown(void)
{ asm volatile (PRE "r7 = r1; call %[bpf_get_prandom_u32]; r1 = r7; if r1 > r0 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jgt_x_bounded(void)
{ asm volatile (PRE "r7 = r1; call %[bpf_get_prandom_u32]; r0 &= 63; r1 = r7; if r1 > r0 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jlt_x_reversed(void)
{ asm volatile (PRE "r2 = 64; if r2 > r1 goto l2_%=; r0 = 0; exit; l2_%=:" USE ARGS); }
SEC("socket") __success __naked void bounds_jmp32_on_zext(void)
{ asm volatile (PRE "w1 = w1; if w1 > 63 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jmp32_upper_unknown(void)
{ asm volatile (PRE "if w1 > 63 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __failure __msg("math between map_value pointer and register with unbounded min value is not allowed") __naked void bounds_jmp32_then_64(void)
{ asm volatile (PRE "if w1 > 63 goto l1_%=; if r1 > 0xffffffff goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jsgt32(void)
{ asm volatile (PRE "w1 = w1; if w1 s> 63 goto l1_%=; if w1 s< 0 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_two_step(void)
{ asm volatile (PRE "if r1 > 100 goto l1_%=; if r1 > 60 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_range_after_sub(void)
{ asm volatile (PRE "if r1 < 10 goto l1_%=; if r1 > 73 goto l1_%=; r1 -= 10;" USE OUT ARGS); }
SEC("socket") __failure __msg("R6 min value is negative, either use unsigned index or do a if (index >=0) check.") __naked void bounds_range_after_sub_too_far(void)
{ asm volatile (PRE "if r1 < 10 goto l1_%=; if r1 > 73 goto l1_%=; r1 -= 11;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_copy_shares_range(void)
{ asm volatile (PRE "r2 = r1; if r2 > 63 goto l1_%=;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_spill_keeps_range(void)
{ asm volatile (PRE "if r1 > 63 goto l1_%=; *(u64 *)(r10 - 16) = r1; r1 = *(u64 *)(r10 - 16);" USE OUT ARGS); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void bounds_spill32_loses_range(void)
{ asm volatile (PRE "*(u32 *)(r10 - 16) = r1; r1 = *(u32 *)(r10 - 16); if r1 > 63 goto l2_%=; l2_%=:" USE ARGS); }
SEC("socket") __success __naked void bounds_known_const_branch(void)
{ asm volatile (PRE "r2 = 5; if r2 > 3 goto l2_%=; r1 = 1000; l2_%=: r1 = 3;" USE ARGS); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void bounds_after_or(void)
{ asm volatile (PRE "if r1 > 63 goto l1_%=; r1 |= 64;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_after_and_mask(void)
{ asm volatile (PRE "if r1 > 1000 goto l1_%=; r1 &= 63;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_after_rsh(void)
{ asm volatile (PRE "if r1 > 255 goto l1_%=; r1 >>= 2;" USE OUT ARGS); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range") __naked void bounds_after_rsh_not_enough(void)
{ asm volatile (PRE "if r1 > 256 goto l1_%=; r1 >>= 2;" USE OUT ARGS); }
SEC("socket") __success __naked void bounds_jeq_x_known(void)
{ asm volatile (PRE "r2 = 9; if r1 == r2 goto l2_%=; r0 = 0; exit; l2_%=:" USE ARGS); }
SEC("socket") __success __naked void bounds_neg_then_check(void)
{ asm volatile (PRE "if r1 s> 0 goto l1_%=; if r1 s< -63 goto l1_%=; r1 = -r1;" USE OUT ARGS); }

char _license[] SEC("license") = "GPL";
