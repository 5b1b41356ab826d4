/* Pointer arithmetic: which operations each pointer type allows, and the messages for the rest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long long[4]);
} vals SEC(".maps");

#define PRE \
	"r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[vals] ll;" \
	"call %[bpf_map_lookup_elem]; if r0 != 0 goto l9_%=; exit; l9_%=: r6 = r0;"
#define ARGS :: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(vals) : __clobber_all

SEC("socket") __success __naked void ptr_value_add_const(void)
{ asm volatile (PRE "r6 += 8; r0 = *(u64 *)(r6 + 8); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_value_sub_const(void)
{ asm volatile (PRE "r6 += 24; r6 -= 16; r0 = *(u64 *)(r6 + 0); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range")
__naked void ptr_value_below_start(void)
{ asm volatile (PRE "r6 -= 8; r0 = *(u64 *)(r6 + 0); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_value_below_start_then_back(void)
{ asm volatile (PRE "r6 -= 8; r0 = *(u64 *)(r6 + 8); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 bitwise operator &= on pointer prohibited")
__naked void ptr_value_and(void)
{ asm volatile (PRE "r6 &= -8; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 pointer arithmetic with *= operator prohibited")
__naked void ptr_value_mul(void)
{ asm volatile (PRE "r6 *= 2; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 pointer arithmetic with <<= operator prohibited")
__naked void ptr_value_lsh(void)
{ asm volatile (PRE "r6 <<= 1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 32-bit pointer arithmetic prohibited")
__naked void ptr_value_add32(void)
{ asm volatile (PRE "w6 += 8; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 pointer += pointer prohibited")
__naked void ptr_plus_ptr(void)
{ asm volatile (PRE "r7 = r6; r6 += r7; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_minus_ptr_same(void)
{ asm volatile (PRE "r7 = r6; r7 += 16; r7 -= r6; r0 = r7; exit;" ARGS); }
SEC("socket") __success __naked void ptr_or_null_arith(void)
{ asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[vals] ll;"
		"call %[bpf_map_lookup_elem]; r0 += 8; exit;" ARGS); }
SEC("socket") __success __naked void ptr_or_null_deref(void)
{ asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[vals] ll;"
		"call %[bpf_map_lookup_elem]; r0 = *(u64 *)(r0 + 0); exit;" ARGS); }
SEC("socket") __failure __msg("R1 pointer arithmetic on map_ptr prohibited")
__naked void ptr_map_ptr_arith(void)
{ asm volatile ("r1 = %[vals] ll; r1 += 8; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_map_ptr_deref(void)
{ asm volatile ("r1 = %[vals] ll; r0 = *(u64 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __success __naked void ptr_ctx_add_then_load_fails_later(void)
{ asm volatile ("r1 += 4; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("dereference of modified ctx ptr R1 off=4 disallowed")
__naked void ptr_ctx_modified_deref(void)
{ asm volatile ("r1 += 4; r0 = *(u32 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __failure __msg("R1 bitwise operator |= on pointer prohibited")
__naked void ptr_ctx_or(void)
{ asm volatile ("r1 |= 1; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
__naked void ptr_scalar_deref(void)
{ asm volatile ("r1 = 4096; r0 = *(u64 *)(r1 + 0); exit;" ARGS); }
SEC("socket") __failure __msg("R1 invalid mem access 'scalar'")
__naked void ptr_scalar_store(void)
{ asm volatile ("r1 = 0; r2 = 1; *(u64 *)(r1 + 0) = r2; r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_stack_var_offset_bounded(void)
{ asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1;"
		"call %[bpf_get_prandom_u32]; r0 &= 8; r1 = r10; r1 += -16; r1 += r0; r0 = *(u64 *)(r1 + 0); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("math between fp pointer and register with unbounded min value is not allowed") __naked void ptr_stack_var_offset_unbounded(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; r1 = r10; r1 += r0; r0 = *(u64 *)(r1 + 0); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_value_var_offset(void)
{ asm volatile (PRE "call %[bpf_get_prandom_u32]; r0 &= 24; r6 += r0; r0 = *(u64 *)(r6 + 0); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range") __naked void ptr_value_var_offset_misaligned(void)
{ asm volatile (PRE "call %[bpf_get_prandom_u32]; r0 &= 24; r6 += r0; r0 = *(u64 *)(r6 + 3); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 max value is outside of the allowed memory range")
__naked void ptr_value_var_offset_too_big(void)
{ asm volatile (PRE "call %[bpf_get_prandom_u32]; r0 &= 31; r6 += r0; r0 = *(u64 *)(r6 + 0); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_compare_value_ptrs(void)
{ asm volatile (PRE "r7 = r6; r7 += 8; if r6 > r7 goto l1_%=; l1_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_compare_with_zero(void)
{ asm volatile (PRE "if r6 == 0 goto l1_%=; r0 = *(u64 *)(r6 + 0); l1_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 invalid mem access 'scalar'")
__naked void ptr_value_neg(void)
{ asm volatile (PRE "r6 = -r6; r0 = *(u64 *)(r6 + 0); exit;" ARGS); }
SEC("socket") __success __naked void ptr_value_store_ptr_priv(void)
{ asm volatile (PRE "*(u64 *)(r6 + 0) = r6; r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void ptr_value_end(void)
{ asm volatile (PRE "r0 = *(u8 *)(r6 + 32); r0 = 0; exit;" ARGS); }
SEC("socket") __success __naked void ptr_value_last_byte(void)
{ asm volatile (PRE "r0 = *(u8 *)(r6 + 31); r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R6 min value is outside of the allowed memory range") __naked void ptr_value_straddle_end(void)
{ asm volatile (PRE "r0 = *(u64 *)(r6 + 28); r0 = 0; exit;" ARGS); }

/* With a constant in-range key, an array lookup cannot fail: the kernel drops the NULL case. */
SEC("socket") __failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void ptr_or_null_deref_unknown_key(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; *(u32 *)(r10 - 4) = r0; r2 = r10; r2 += -4; r1 = %[vals] ll;"
		"call %[bpf_map_lookup_elem]; r0 = *(u64 *)(r0 + 0); exit;" ARGS); }
SEC("socket") __failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void ptr_or_null_deref_key_out_of_range(void)
{ asm volatile ("r1 = 1; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[vals] ll;"
		"call %[bpf_map_lookup_elem]; r0 = *(u64 *)(r0 + 0); exit;" ARGS); }
SEC("socket") __success __naked void ptr_or_null_checked_unknown_key(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; *(u32 *)(r10 - 4) = r0; r2 = r10; r2 += -4; r1 = %[vals] ll;"
		"call %[bpf_map_lookup_elem]; if r0 == 0 goto l0_%=; r0 = *(u64 *)(r0 + 0); l0_%=: r0 = 0; exit;" ARGS); }
SEC("socket") __failure __msg("R0 pointer arithmetic on map_value_or_null prohibited, null-check it first")
__naked void ptr_or_null_arith_unknown_key(void)
{ asm volatile ("call %[bpf_get_prandom_u32]; *(u32 *)(r10 - 4) = r0; r2 = r10; r2 += -4; r1 = %[vals] ll;"
		"call %[bpf_map_lookup_elem]; r0 += 8; exit;" ARGS); }

char _license[] SEC("license") = "GPL";
